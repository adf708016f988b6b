//! `docs/<Api>.md`: one section per operation with its signature, parameters, body, return
//! type and errors, for readers who want the whole API on one page.

use proc_macro2::TokenStream;
use quote::quote;

use super::signature::{fixed_note, fixed_value, order_note, parameter, return_type, signature};
use super::ty::{ty, ModelPath};
use crate::error::SpecResult;
use crate::ir::{Api, ErrorCase, Operation, Param, Returns, Status, TagApi};

pub fn tag_page(api: &Api, tag: &TagApi, crate_ident: &str) -> SpecResult<String> {
    let (name, count, accessor) = (&tag.type_name, tag.operations.len(), &tag.accessor);
    let mut out = format!("# {name}\n\nOperations tagged `{}` ({count} operations). Get one with `client.{accessor}()`.\n\n", tag.tag);
    if let Some(description) = &tag.description {
        out.push_str(&format!("{}\n\n", description.trim()));
    }
    out.push_str("| method | HTTP | summary |\n|---|---|---|\n");
    for op in &tag.operations {
        let (name, method, path) = (&op.fn_name, op.method.as_str(), &op.path);
        let summary = cell(op.summary.as_deref().unwrap_or_default());
        let row = format!("| [`{name}`](#{name}) | `{method} {path}` | {summary} |\n");
        out.push_str(&row);
    }
    for op in &tag.operations {
        out.push_str(&operation(api, op, crate_ident)?);
    }
    Ok(out)
}

/// One operation's section of the docs page: signature, parameters, body, returns, errors.
fn operation(api: &Api, op: &Operation, crate_ident: &str) -> SpecResult<String> {
    let mut out = format!("\n## {}\n\n", op.fn_name);
    let note = super::docs::note(api, &op.operation_id, crate_ident);
    for text in op.summary.iter().chain(&op.description).chain(&note) {
        out.push_str(&format!("{}\n\n", text.trim()));
    }
    out.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    if op.deprecated {
        out.push_str(" (deprecated)");
    }
    let since = super::docs::since(api, op.since.as_deref());
    let notes = [since, order_note(api, op), fixed_note(api, op)];
    for note in notes.into_iter().flatten() {
        out.push_str(&format!("\n\n{note}"));
    }
    out.push_str(&format!("\n\n```rust\n{}\n```\n", signature_text(api, op)?));
    if let Some(paging) = &op.paging {
        out.push_str(&format!(
            "\nAlso `{}(.., page_size)`: a stream of every item, one page in memory at a time.\n",
            paging.fn_name
        ));
    }
    if !op.params.is_empty() {
        out.push_str("\n### Parameters\n\n| name | in | Rust type | required | server default | description |\n|---|---|---|---|---|---|\n");
        out.extend(op.params.iter().map(|p| param_row(api, op, p)));
    }
    if let Some(body) = &op.body {
        let body_ty = type_text(&ty(api, &body.ty, ModelPath::Models));
        let required = ["optional", "required"][usize::from(body.required)];
        let about = body.description.as_deref().unwrap_or_default().trim();
        let text = format!("`{body_ty}` as `{}` ({required}). {about}", body.media_type);
        out.push_str(&format!("\n### Body\n\n{}\n", text.trim_end()));
    }
    let returns = type_text(&return_type(api, op));
    out.push_str(&format!("\n### Returns\n\n`{returns}`"));
    if let Returns::Choice { variants, .. } = &op.returns {
        let names = Vec::from_iter(variants.iter().map(|v| format!("`{}`", v.name))).join(", ");
        out.push_str(&format!(", one of {names} depending on the response"));
    }
    out.push_str(".\n\n### Errors\n\n`Error::Api` with the status and body:\n\n| status | description | `ErrorBody` |\n|---|---|---|\n");
    for [status, description, body] in error_rows(api, &op.errors) {
        out.push_str(&format!("| {status} | {description} | {body} |\n"));
    }
    Ok(out)
}

fn param_row(api: &Api, op: &Operation, p: &Param) -> String {
    let location = format!("{:?}", p.location).to_ascii_lowercase();
    // What the caller passes: a required parameter's argument type, an optional one's field type.
    let params = op.params_type.as_deref().unwrap_or_default();
    let (rust, required) = match fixed_value(api, p) {
        Some(value) => (None, format!("fixed to `{value}`")),
        None if p.required => (Some(parameter(api, p).borrowed), "yes".into()),
        None => (
            Some(ty(api, &p.ty, ModelPath::Models)),
            format!("no (`{params}::{}`)", p.rust_name),
        ),
    };
    let rust = rust.map_or("—".into(), |rust| format!("`{}`", type_text(&rust)));
    let default = p.default.as_ref().map(|d| format!("`{d}`"));
    let since = super::docs::since(api, p.since.as_deref());
    let about = [p.description.as_deref(), since.as_deref()].map(Option::unwrap_or_default);
    let (name, default, about) = (&p.name, default.unwrap_or_default(), cell(&about.join(" ")));
    format!("| `{name}` | {location} | {rust} | {required} | {default} | {about} |\n")
}

/// The statuses an operation documents, each with its description and `ErrorBody` variant.
fn error_rows(api: &Api, cases: &[ErrorCase]) -> Vec<[String; 3]> {
    let untyped = || "`Json`, `Text` or `Empty`".to_string();
    let row = |case: &ErrorCase| {
        // A range as HTTP writes it: `4XX`.
        let status = case.status.text().replace("xx", "XX");
        let body = case.ty.and_then(|id| api.error_variant(id));
        let body = body.map_or_else(untyped, |variant| format!("`{variant}`"));
        [status, cell(&case.description), body]
    };
    let mut rows: Vec<[String; 3]> = cases.iter().map(row).collect();
    if !cases.iter().any(|c| c.status == Status::Default) {
        rows.push(["other".into(), "undocumented".into(), untyped()]);
    }
    rows
}

/// The statuses an operation documents as a sentence under a heading, for rustdoc: `401`
/// Unauthorized as `HttpExceptionResponse`, ...
pub fn errors_sentence(api: &Api, cases: &[ErrorCase]) -> String {
    let row = |[status, about, body]: [String; 3]| format!("`{status}` {about} as {body}");
    let rows: Vec<String> = error_rows(api, cases).into_iter().map(row).collect();
    format!(
        "# Errors\n\n[`Error::Api`](crate::Error::Api) with the status and [`ErrorBody`](crate::ErrorBody): \
         {}.",
        rows.join("; ")
    )
}

/// Text for a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").replace('|', "\\|")
}

/// The method signature as formatted text (in an impl with an empty body, stripped again).
fn signature_text(api: &Api, op: &Operation) -> SpecResult<String> {
    let sig = signature(api, op);
    let text = super::print::file(quote!(impl Api { #sig {} }), "")?;
    let wrapper = |l: &&str| l.starts_with("impl Api") || *l == "}";
    let inner = text.lines().filter(|l| !wrapper(l));
    let unindented = inner.map(|l| l.strip_prefix("    ").unwrap_or(l).trim_end_matches(" {}"));
    Ok(Vec::from_iter(unindented).join("\n"))
}

/// A type as written: its tokens without the spaces `quote` puts between them (the types
/// shown here never have two words in a row, as `impl Into` would), and one after a comma.
fn type_text(t: &TokenStream) -> String {
    t.to_string().replace(' ', "").replace(',', ", ")
}
