//! Spec prose → rustdoc attributes that render well and never turn into doctests or broken links.

use proc_macro2::TokenStream;
use quote::quote;

/// "Since Airflow 3.1.0." for what a release newer than the oldest supported one added.
pub fn since(api: &crate::ir::Api, since: Option<&str>) -> Option<String> {
    let releases = api.releases.as_ref()?;
    Some(format!("Since {} {}.", releases.product, since?))
}

/// The hand-written note on an operation (`notes.yaml`), naming the crate `crate_ident`.
pub fn note(api: &crate::ir::Api, operation_id: &str, crate_ident: &str) -> Option<String> {
    let note = api.notes.operations.get(operation_id)?;
    Some(crate::templates::rename_crate(note.trim(), crate_ident))
}

/// A paragraph of documentation, by who wrote it.
#[derive(Clone, Copy)]
pub enum Para<'a> {
    /// Prose from the document, made safe for rustdoc ([`sanitize`]).
    Spec(&'a str),
    /// Markdown the generator wrote (links, code spans), kept as it is.
    Ours(&'a str),
}

/// `#[doc = ...]` lines for the given paragraphs (missing and empty ones are skipped).
pub fn doc_attrs<'a>(paragraphs: impl IntoIterator<Item = Option<Para<'a>>>) -> TokenStream {
    lines_to_attrs(&doc_text(paragraphs))
}

/// `#![doc = ...]` lines, a module's own docs, for the given paragraphs.
pub fn inner_doc_attrs<'a>(paragraphs: impl IntoIterator<Item = Option<Para<'a>>>) -> TokenStream {
    let text = doc_text(paragraphs);
    let lines = doc_lines(&text);
    quote! { #( #![doc = #lines] )* }
}

/// Lines as `#[doc]` strings take them: a space after `///`, none on an empty line.
fn doc_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines().map(|line| match line {
        "" => String::new(),
        line => format!(" {line}"),
    })
}

fn doc_text<'a>(paragraphs: impl IntoIterator<Item = Option<Para<'a>>>) -> String {
    let text = |p| match p {
        Para::Spec(text) => sanitize(text.trim()),
        Para::Ours(text) => text.trim().to_string(),
    };
    let texts = paragraphs.into_iter().flatten().map(text);
    Vec::from_iter(texts.filter(|p| !p.is_empty())).join("\n\n")
}

pub fn lines_to_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// What the document says to Python's client, which a Rust reader would trip over.
const PYTHON_ONLY: &str =
    "Note that None is also allowed, so always use this in a type hint with Optional.";

/// Makes free text safe for rustdoc:
/// - tabs become spaces, and indentation is capped at 3, so nothing becomes an indented code
///   block (a doctest);
/// - fenced blocks are marked `text` for the same reason;
/// - `[` and `]` outside code spans are escaped, so prose like `[a, b]` is not read as an
///   intra-doc link (inside a code span a backslash would show);
/// - bare URLs are wrapped in `<>`;
/// - runs of blank lines collapse to one;
/// - the sentence for Python's client alone ([`PYTHON_ONLY`]) is left out.
pub fn sanitize(text: &str) -> String {
    let text = text.replace(PYTHON_ONLY, "").replace('\t', "    ");
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.lines() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            let info = trimmed.trim_start_matches('`').trim();
            out.push(match (in_fence, info) {
                (false, _) => "```".to_string(),
                (true, "") => "```text".to_string(),
                (true, info) => format!("```text {info}"),
            });
        } else if in_fence {
            out.push(raw.to_string());
        } else if !trimmed.is_empty() {
            let indent = (raw.len() - trimmed.len()).min(3);
            out.push(format!("{}{}", " ".repeat(indent), inline(trimmed)));
        } else if out.last().is_some_and(|line| !line.is_empty()) {
            out.push(String::new());
        }
    }
    if in_fence {
        out.push("```".into());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out.join("\n")
}

fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(span_len) = code_span_at(rest) {
            out.push_str(&rest[..span_len]);
            rest = &rest[span_len..];
            continue;
        }
        if let Some(url_len) = url_at(rest) {
            let url = &rest[..url_len];
            // A URL already a link's target (`<…>`, `(…)`, an HTML attribute) stays as it is.
            match out.ends_with(['<', '(', '"', '\'', '=']) {
                true => out.push_str(url),
                false => out.push_str(&format!("<{url}>")),
            }
            rest = &rest[url_len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        if matches!(c, '[' | ']') {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Length of a code span starting at the beginning of `text` (a run of backticks up to the
/// next run of as many), if one does.
fn code_span_at(text: &str) -> Option<usize> {
    let ticks = text.len() - text.trim_start_matches('`').len();
    if ticks == 0 {
        return None;
    }
    let fence = &text[..ticks];
    let mut at = ticks;
    while let Some(found) = text[at..].find(fence) {
        let start = at + found;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == ticks {
            return Some(start + ticks);
        }
        at = start + run;
    }
    None
}

/// Length of a URL starting at the beginning of `text`, if one does.
fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let ends = |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']');
    let end = text.find(ends).unwrap_or(text.len());
    Some(text[..end].trim_end_matches(['.', ',', ';', ':']).len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_prose() {
        assert_eq!(
            sanitize("A list of `task_id` or [`task_id`, `map_index`]."),
            "A list of `task_id` or \\[`task_id`, `map_index`\\]."
        );
        assert_eq!(
            sanitize("Use `[\"map_index\"]` or ``Annotated[int, `x`]``, not [this]."),
            "Use `[\"map_index\"]` or ``Annotated[int, `x`]``, not \\[this\\]."
        );
        assert_eq!(sanitize("an `unclosed [span"), "an `unclosed \\[span");
        assert_eq!(
            sanitize("see https://airflow.apache.org/docs."),
            "see <https://airflow.apache.org/docs>."
        );
        assert_eq!(
            sanitize("<a href=\"https://x.org/a\">the docs</a>, https://x.org/b"),
            "<a href=\"https://x.org/a\">the docs</a>, <https://x.org/b>"
        );
        assert_eq!(
            sanitize("a\n\n        code()\n\n\n\nb"),
            "a\n\n   code()\n\nb"
        );
        assert_eq!(sanitize("```\nx = 1\n```"), "```text\nx = 1\n```");
    }
}
