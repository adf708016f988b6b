//! One module per tag (the API type) with one module per operation: its method, parameter
//! struct and return enum.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, ToTokens};

use super::docs::{doc_attrs, since, Para};
use super::setters::{setter, setter_names, Slot};
use super::signature::{
    arguments, by_value, fixed_note, fixed_value, id_types, media, order_note, signature,
};
use super::ty::{ident, ty, ModelPath};
use crate::ir::{
    media_essence, Api, Content, ErrorCase, MediaKind, Operation, Param, ParamLocation, ParamStyle,
    Presence, ReturnVariant, Returns, Status, TagApi, Ty, TypeId, TypeKind,
};

const PATH: ModelPath = ModelPath::Models;

/// A tag's `mod.rs`: the API type, its accessor on `Client`, and one module per operation.
pub fn tag_module(tag: &TagApi) -> TokenStream {
    let name = ident(&tag.type_name);
    let tagged = format!("Operations tagged `{}`.", tag.tag);
    let about = tag.description.as_deref().map(Para::Spec);
    let docs = doc_attrs([Some(Para::Ours(&tagged)), about]);
    let accessor = format_ident!("{}", tag.accessor);
    let accessor_doc = format!(" The [`{}`] operations.", tag.type_name);
    let modules = tag.operations.iter().map(|op| {
        let module = ident(&op.module);
        let types = op.params_type.is_some() || matches!(op.returns, Returns::Choice { .. });
        let export = types.then(|| quote!(pub use self::#module::*;));
        quote! {
            mod #module;
            #export
        }
    });
    quote! {
        use crate::Client;

        #(#modules)*

        #docs
        #[derive(Debug, Clone)]
        pub struct #name {
            client: Client,
        }

        impl #name {
            /// The operations of this tag, sent through `client`.
            pub fn new(client: &Client) -> Self {
                #name { client: client.clone() }
            }
        }

        impl Client {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> #name {
                #name::new(self)
            }
        }
    }
}

/// One operation's file: its method (and streaming twin), parameter struct and return enum.
pub fn operation_module(api: &Api, tag: &TagApi, op: &Operation, crate_ident: &str) -> TokenStream {
    let name = ident(&tag.type_name);
    let method = operation(api, tag, op, crate_ident);
    let stream = stream_twin(api, tag, op, crate_ident);
    let types = operation_types(api, tag, op);
    let code = quote! {
        impl #name {
            #method
            #stream
        }

        #types
    };
    let imports = imports(api, &code);
    quote! {
        use super::#name;
        #imports

        #code
    }
}

/// What operation modules use of the runtime, by the module of `templates/src/runtime/` with it.
const RUNTIME_ITEMS: &[(&str, &[&str])] = &[
    ("encoding", &["QueryStyle"]),
    ("error", &["untyped_body"]),
    ("paging", &["Page", "paginate"]),
    ("path", &["path_segment"]),
    ("setters", &["setter"]),
    ("typed_body", &["typed_body"]),
];

/// Only the imports the module's code uses, so an operation with no path parameters (say)
/// gets no unused-import warning.
fn imports(api: &Api, code: &TokenStream) -> TokenStream {
    let mut idents = BTreeSet::new();
    super::collect_idents(code.clone(), false, &mut idents);
    let pick = |names: &[&str]| -> Vec<Ident> {
        let used = names.iter().filter(|n| idents.contains(**n));
        used.map(|n| format_ident!("{}", n)).collect()
    };
    let runtime = RUNTIME_ITEMS.iter().filter_map(|(module, items)| {
        let items = pick(items);
        let module = format_ident!("{}", module);
        (!items.is_empty()).then(|| quote!(use crate::runtime::#module::{#(#items),*};))
    });
    let krate = pick(&["models", "Pending"]);
    let ids = pick(&Vec::from_iter(id_types(api).into_keys()));
    let ids = (!ids.is_empty()).then(|| quote!(use crate::apis::{#(#ids),*};));
    quote! {
        #(#runtime)*
        #ids
        use crate::{#(#krate),*};
    }
}

/// The parameter struct and return enum an operation needs, if any.
fn operation_types(api: &Api, tag: &TagApi, op: &Operation) -> TokenStream {
    let method = format!("[`{}::{}`]", tag.type_name, op.fn_name);
    let params = op.params_type.as_ref();
    let params = params.map(|name| match &op.params_same_as {
        Some(first) => {
            let doc = format!(
                " Optional parameters of {method}: the same as [`{first}`](super::{first})'s, \
                 so one value serves both."
            );
            let (name, first) = (ident(name), ident(first));
            quote!(#[doc = #doc] pub type #name = super::#first;)
        }
        None => params_struct(api, tag, op, name),
    });
    let returns = match &op.returns {
        Returns::Choice { variants, .. } => {
            let name = super::signature::return_type(api, op);
            let doc = format!(" What {method} returns, depending on the response.");
            let variants = variants.iter().map(|v| {
                let variant = ident(&v.name);
                let media_type = v.content.as_ref().map(|c| format!("`{}`", c.media_type));
                let media_note = media_type.as_deref().map(Para::Ours);
                let doc = doc_attrs([Some(Para::Spec(&v.description)), media_note]);
                let inner = v.content.as_ref().map(|c| {
                    let inner = media(api, c.kind, &c.ty, &c.media_type).response;
                    quote!((#inner))
                });
                quote!(#doc #variant #inner,)
            });
            Some(quote! {
                #[doc = #doc]
                #[allow(clippy::large_enum_variant, reason = "unboxed, like a union's arms")]
                #[derive(Debug)]
                pub enum #name {
                    #(#variants)*
                }
            })
        }
        _ => None,
    };
    quote!(#params #returns)
}

/// A parameter's docs: the document's, its server default, the release that added it; a header or
/// cookie says it is one. An undescribed query parameter gets none (its struct says what it is).
fn param_docs(api: &Api, p: &Param) -> TokenStream {
    let place = format!("{:?}", p.location).to_lowercase();
    let sent = format!("Sent as the `{}` {place}.", wire_name(p));
    let default = p.default.as_ref();
    let default = default.map(|default| format!("Server default: `{default}`."));
    let since = since(api, p.since.as_deref())
        .map(|since| format!("{since} Before: [`Error::UnsupportedParameter`](crate::Error::UnsupportedParameter), unsent."));
    doc_attrs([
        p.description.as_deref().map(Para::Spec),
        matches!(p.location, ParamLocation::Header | ParamLocation::Cookie)
            .then_some(Para::Ours(&sent)),
        default.as_deref().map(Para::Ours),
        since.as_deref().map(Para::Ours),
    ])
}

fn params_struct(api: &Api, tag: &TagApi, op: &Operation, params: &str) -> TokenStream {
    let name = ident(params);
    let own = Some(params.to_string());
    let uses = |o: &&Operation| [&o.params_type, &o.params_same_as].contains(&&own);
    let users: Vec<&Operation> = tag.operations.iter().filter(uses).collect();
    let method = |o: &&Operation| format!("[`{}::{}`]", tag.type_name, o.fn_name);
    let methods: Vec<String> = users.iter().map(method).collect();
    let doc = format!(
        " Optional parameters of {}: each field is the query parameter of its name (or the \
         header it says), left out while `None`. Start from `Default::default()` and set what \
         you need.",
        match methods.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    );
    let docs: Vec<TokenStream> = op.optional_params().map(|p| param_docs(api, p)).collect();
    // A field the document does not describe is named for its parameter, as the struct says.
    let allow = docs.iter().any(TokenStream::is_empty).then(|| {
        quote!(#[allow(missing_docs, reason = "a field without docs is the query parameter it names")])
    });
    let fields = op.optional_params().zip(&docs).map(|(p, docs)| {
        let rust = ident(&p.rust_name);
        let inner = ty(api, &p.ty, PATH);
        let name = &p.name;
        let serde = match (by_query_params(p), *name != p.rust_name) {
            (false, _) => Some(quote!(#[serde(skip)])),
            (true, true) => Some(quote!(#[serde(rename = #name)])),
            (true, false) => None,
        };
        quote!(#docs #serde pub #rust: Option<#inner>,)
    });
    let names = setter_names(&Vec::from_iter(op.optional_params().map(|p| &*p.rust_name)));
    let setters = op
        .optional_params()
        .zip(&names)
        .map(|(p, names)| setter(api, (&p.rust_name, names), &p.ty, Slot::Some, false, PATH));
    // A streaming twin owns its parameters; a borrowed struct converts by cloning.
    let from_ref = users.iter().any(|o| o.paging.is_some()).then(|| {
        quote! {
            impl From<&#name> for #name {
                #[inline]
                fn from(params: &#name) -> Self {
                    params.clone()
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        #allow
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #(#setters)*
        }

        #from_ref
    }
}

/// The parameter's name on the wire (header names in lower case).
fn wire_name(p: &Param) -> String {
    match p.location {
        ParamLocation::Header => p.name.to_ascii_lowercase(),
        _ => p.name.clone(),
    }
}

/// `a=1&a=2`: the style of most query parameters.
fn default_style(p: &Param) -> bool {
    matches!(p.style, ParamStyle::Form | ParamStyle::Simple) && p.explode
}

/// An optional parameter written with the others from the fields of `params`.
fn by_query_params(p: &Param) -> bool {
    !p.required && p.location == ParamLocation::Query && default_style(p)
}

/// A parameter's value expression, as a reference: an argument, a field of `params`, or a constant.
fn value_expr(api: &Api, p: &Param) -> TokenStream {
    let rust = ident(&p.rust_name);
    match fixed_value(api, p) {
        Some(value) => quote!(#value),
        None if !p.required => quote!(&params.#rust),
        None if by_value(&p.ty) => quote!(&#rust),
        None => quote!(#rust),
    }
}

/// `{op}_stream`, for a paged list: every item, fetched `page_size` at a time.
fn stream_twin(api: &Api, tag: &TagApi, op: &Operation, crate_ident: &str) -> Option<TokenStream> {
    let paging = op.paging.as_ref()?;
    let name = ident(&paging.fn_name);
    let call = ident(&op.fn_name);
    let item = ty(api, &paging.item, PATH);
    let owned = arguments(api, op);
    let decls = owned.iter().map(|a| a.declaration(true));
    let owns = owned.iter().filter_map(|o| o.own.as_ref());
    // Each page's call gets its own copy; `params` gets the page's offset and limit.
    let cloned = owned.iter().filter(|o| !o.copy && o.name != "params");
    let copies: Vec<&Ident> = cloned.map(|o| &o.name).collect();
    let lends = owned.iter().map(|o| &o.lend);
    let (limit, offset) = (ident(&paging.limit), ident(&paging.offset));
    let (items, total) = (ident(&paging.items), ident(&paging.total));
    let total_expr = optional(quote!(page.#total), paging.total_presence);
    // Keyset paging where the operation has a cursor and the server knows it (asked when
    // the cursor is newer than the oldest supported release), else offsets. A stream asked
    // to start at a cursor or an offset starts there.
    let (cursor_start, by_cursor, by_keyset, at_params, next) = match &paging.cursor {
        None => (
            quote!(None),
            quote!(std::future::ready(false)),
            String::new(),
            quote!(let params = params.clone().#offset(at.offset().unwrap_or(0)).#limit(limit);),
            quote!(None),
        ),
        Some(cursor) => {
            let param = ident(&cursor.param);
            let next_field = ident(&cursor.next);
            let (by_cursor, later) = match &cursor.since {
                None => (quote!(std::future::ready(true)), String::new()),
                Some(since) => {
                    let by_cursor = quote! {{
                        let client = api.client.clone();
                        async move { client.supports(#since).await }
                    }};
                    (by_cursor, format!(" ({since} and later)"))
                }
            };
            (
                quote!(params.#param.clone()),
                by_cursor,
                format!(
                    " by keyset cursor where the server has it{later}, which loses no item to \
                     changes made while the stream runs; else"
                ),
                quote! {
                    let params = match at {
                        crate::PageStart::Offset(offset) => params.clone().#offset(offset),
                        crate::PageStart::Cursor(cursor) => params.clone().#param(cursor),
                    }
                    .#limit(limit);
                },
                optional(quote!(page.#next_field), cursor.next_presence),
            )
        }
    };
    let doc = format!(
        "Every item of [`Self::{}`], fetched `page_size` at a time{by_keyset} with `{}`/`{}`, \
         where an item added or removed before the current offset while the stream runs makes \
         it skip or repeat one. One page is in memory at a time. The stream owns what it \
         needs, so it can move into a spawned task.\n\n\
         It starts where `params` says (`{}`, or a cursor where the operation has one). A page \
         that fails after the client's retries ends the stream with that error, every earlier \
         item given exactly once; [`Paged::resume_from`](crate::Paged::resume_from) says where \
         to pick up.",
        op.fn_name, paging.limit, paging.offset, paging.offset
    );
    let example = super::examples::example(api, tag, op, true, crate_ident);
    let doc = super::docs::lines_to_attrs(&format!("{doc}\n\n{example}"));
    Some(quote! {
        #doc
        pub fn #name(&self, #(#decls,)* page_size: i64) -> crate::Paged<#item> {
            let api = self.clone();
            #(#owns)*
            let by_cursor = #by_cursor;
            let cursor = #cursor_start;
            paginate(params.#offset, cursor, by_cursor, page_size, move |at, limit| {
                let api = api.clone();
                #(let #copies = #copies.clone();)*
                #at_params
                async move {
                    let page = api.#call(#(#lends),*).await?;
                    Ok(Page {
                        items: page.#items,
                        total: #total_expr,
                        next: #next,
                    })
                }
            })
        }
    })
}

/// A field read as an `Option`, by its representation.
fn optional(field: TokenStream, presence: Presence) -> TokenStream {
    match presence {
        Presence::Required | Presence::Constant => quote!(Some(#field)),
        Presence::RequiredNullable | Presence::Optional => quote!(#field),
        Presence::Tristate => quote!(#field.into_option()),
    }
}

/// An operation's async method: its docs and example, the request it builds (path, releases,
/// parameters, body) and how it reads the answer.
fn operation(api: &Api, tag: &TagApi, op: &Operation, crate_ident: &str) -> TokenStream {
    let (op_id, template) = (&op.operation_id, &op.path);
    let signature_line = format!("`{} {}`", op.method.as_str(), op.path);
    let deprecated_note = op.deprecated.then_some("**Deprecated** by the API.");
    let since_note = since(api, op.since.as_deref())
        .map(|note| format!("{note} An older server answers with [`Error::Unsupported`](crate::Error::Unsupported)."));
    let note = super::docs::note(api, &op.operation_id, crate_ident);
    let errors = super::markdown::errors_sentence(api, &op.errors);
    let example = super::examples::example(api, tag, op, false, crate_ident);
    let docs = doc_attrs([
        op.summary.as_deref().map(Para::Spec),
        op.description.as_deref().map(Para::Spec),
        note.as_deref().map(Para::Ours),
        Some(Para::Ours(&signature_line)),
        order_note(api, op).as_deref().map(Para::Ours),
        fixed_note(api, op).as_deref().map(Para::Ours),
        since_note.as_deref().map(Para::Ours),
        deprecated_note.map(Para::Ours),
        Some(Para::Ours(&errors)),
        Some(Para::Ours(&example)),
    ]);
    let signature = signature(api, op);
    // The path parameters, encoded, in the template's placeholder order, for the runtime to fill.
    let segments = op.path_params().map(|p| value_expr(api, p));
    let method = format_ident!("{}", op.method.as_str());
    // Requests carry the client's credentials unless the document secures others but not this one.
    let secured = |op: &Operation| !op.security.is_empty();
    let anonymous = !secured(op) && api.operations().any(|(_, other)| secured(other));
    let auth = anonymous.then(|| quote!(request.anonymous();));
    // What some supported releases lack: a 404 or 405 from a server older than the operation
    // says so, and a newer parameter that is set fails unsent on such a server.
    let dated = |p| Some((wire_name(p), p.since.as_deref()?));
    let mut newer: Vec<_> = op.params.iter().filter_map(dated).collect();
    if let Some(body) = op.body.as_ref().filter(|b| b.kind == MediaKind::Json) {
        dated_fields(api, &body.ty, "body.", &mut Vec::new(), &mut newer);
        // A field reached through several arms of a union is checked once.
        newer.sort();
        newer.dedup();
    }
    let releases = (op.since.is_some() || !newer.is_empty()).then(|| {
        let since = op.since.as_ref().map_or(quote!(None), |s| quote!(Some(#s)));
        let (names, added): (Vec<_>, Vec<_>) = newer.iter().cloned().unzip();
        quote!(request.releases(#since, &[#((#names, #added)),*]);)
    });
    // The usual parameter is a form-style query parameter: the optional ones travel together,
    // from the fields of `params`; the others one by one.
    let any_by_fields = op.optional_params().any(by_query_params);
    let by_fields = any_by_fields.then(|| quote!(request.query_params(params);));
    let alone = |p: &&Param| p.location != ParamLocation::Path && !by_query_params(p);
    let one_by_one = op.params.iter().filter(alone).map(|p| {
        let name = wire_name(p);
        let value = value_expr(api, p);
        match p.location {
            ParamLocation::Cookie => quote!(request.add_cookie(#name, #value);),
            ParamLocation::Header => quote!(request.header(#name, #value);),
            _ if default_style(p) => quote!(request.query(#name, #value);),
            _ => {
                let style = match p.style {
                    ParamStyle::SpaceDelimited => quote!(QueryStyle::SpaceDelimited),
                    ParamStyle::PipeDelimited => quote!(QueryStyle::PipeDelimited),
                    ParamStyle::DeepObject => quote!(QueryStyle::DeepObject),
                    ParamStyle::Form | ParamStyle::Simple => {
                        let explode = p.explode;
                        quote!(QueryStyle::Form { explode: #explode })
                    }
                };
                quote!(request.query_as(#name, #value, #style);)
            }
        }
    });
    let accept = op.accept.iter();
    let body = op.body.as_ref().map(|b| {
        let set = media(api, b.kind, &b.ty, &b.media_type).send;
        match b.required {
            true => set,
            false => quote!(if let Some(body) = body { #set }),
        }
    });
    // The request is changed only by the statements that fill it in.
    let fill = quote!(#auth #releases #by_fields #(#one_by_one)* #(request.header("accept", #accept);)* #body);
    let mutable = (!fill.is_empty()).then(|| quote!(mut));
    let errors = error_decoder(api, &op.errors);
    let decode = decode(api, op, &errors);
    // An NDJSON or event-stream body is handed on as it arrives; any other is read whole first.
    let ndjson = |c: &Content| matches!(c.kind, MediaKind::Ndjson | MediaKind::Events);
    let streamed = match &op.returns {
        Returns::Unit => false,
        Returns::One(c) => ndjson(c),
        Returns::Choice { variants, .. } => variants.iter().flat_map(|v| &v.content).any(ndjson),
    };
    let respond = match &op.returns {
        Returns::One(c) if c.kind == MediaKind::Json => quote!(Pending::typed(request, #errors)),
        _ if streamed => quote!(Pending::streamed(request, #errors, #decode)),
        _ => quote!(Pending::new(request, #errors, #decode)),
    };
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let allow_args =
        (arguments(api, op).len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    // Inline: the method and the decoding of its answer are compiled in the crate that calls
    // it, so a program pays only for the operations it uses (and this crate builds fast).
    quote! {
        #docs
        #deprecated
        #allow_args
        #[inline]
        #signature {
            let #mutable request = self.client.request(reqwest::Method::#method, #op_id, #template, &[#(path_segment(#segments)),*]);
            #fill
            #respond
        }
    }
}

/// The fields of a body of type `t` (`body.actions[].update_mask`) that some supported release
/// lacks, with the release that added each; `through` holds the types on the way, so a type
/// that contains itself is walked once.
fn dated_fields<'a>(
    api: &'a Api,
    t: &Ty,
    path: &str,
    through: &mut Vec<TypeId>,
    out: &mut Vec<(String, &'a str)>,
) {
    match t {
        Ty::List(inner) => {
            let path = format!("{}[].", path.trim_end_matches('.'));
            dated_fields(api, inner, &path, through, out);
        }
        Ty::Nullable(inner) => dated_fields(api, inner, path, through, out),
        Ty::Named(id) if !through.contains(id) && has_dated(api, *id, &mut BTreeSet::new()) => {
            through.push(*id);
            match &api.ty(*id).kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        let at = format!("{path}{}", f.wire_name);
                        if let Some(since) = &f.since {
                            out.push((at.clone(), since));
                        }
                        dated_fields(api, &f.ty, &format!("{at}."), through, out);
                    }
                }
                // A union's arms and an alias's target are at the type's own path.
                kind => {
                    for t in kind.tys() {
                        dated_fields(api, t, path, through, out);
                    }
                }
            }
            through.pop();
        }
        _ => {}
    }
}

/// Whether type `id` reaches a field that some supported release lacks. The walk above lists
/// every path to one, and types that all contain each other have more paths than can be walked.
fn has_dated(api: &Api, id: TypeId, seen: &mut BTreeSet<TypeId>) -> bool {
    let kind = &api.ty(id).kind;
    let dated = matches!(kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.since.is_some()));
    let mut inner = kind.tys().into_iter().flat_map(Ty::named);
    seen.insert(id) && (dated || inner.any(|id| has_dated(api, id, seen)))
}

fn decode(api: &Api, op: &Operation, errors: &TokenStream) -> TokenStream {
    match &op.returns {
        Returns::Unit => quote!(|_| Ok(())),
        Returns::One(c) => {
            let read = media(api, c.kind, &c.ty, &c.media_type).read_result;
            quote!(|response| #read)
        }
        Returns::Choice { variants, .. } => {
            let name = super::signature::return_type(api, op);
            let arm = |v: &ReturnVariant, label: TokenStream| {
                let (status, variant) = (statuses_pattern(&[v.status]), ident(&v.name));
                let read = v.content.as_ref().map(|c| {
                    let read = media(api, c.kind, &c.ty, &c.media_type).read;
                    quote!((#read))
                });
                quote!((#status, #label) => Ok(#name::#variant #read),)
            };
            // Bodiless variants match by status alone, in the fallback arms below.
            let exact = variants.iter().filter_map(|v| {
                let essence = media_essence(&v.content.as_ref()?.media_type);
                Some(arm(v, quote!(#essence)))
            });
            // A server that labels the body differently still gets its status's first variant.
            let mut seen = BTreeSet::new();
            let fallback = variants.iter().filter(|v| seen.insert(v.status));
            let fallback = fallback.map(|v| arm(v, quote!(_)));
            // A `default` answer (springdoc's, with no success declared) takes every status.
            let others = variants.iter().all(|v| v.status != Status::Default);
            let others = others.then(|| quote!(_ => Err(response.error(#errors)),));
            quote! {
                |response| match (response.status(), response.media_type().as_str()) {
                    #(#exact)*
                    #(#fallback)*
                    #others
                }
            }
        }
    }
}

/// An arm's statuses: `401 | 403`, or one range where they run on (`403..=405`, `4XX` and
/// `5XX`), as clippy asks; `_` for `default`.
fn statuses_pattern(statuses: &[Status]) -> TokenStream {
    let span = |s: &Status| match *s {
        Status::Code(c) => Some((c, c)),
        Status::Range(r) => Some((r * 100, r * 100 + 99)),
        Status::Default => None,
    };
    let pattern = |span: Option<(u16, u16)>| match span {
        Some((lo, hi)) if lo == hi => Literal::u16_unsuffixed(lo).to_token_stream(),
        Some((lo, hi)) => {
            let (lo, hi) = (Literal::u16_unsuffixed(lo), Literal::u16_unsuffixed(hi));
            quote!(#lo..=#hi)
        }
        None => quote!(_),
    };
    match statuses.iter().map(span).collect::<Option<Vec<_>>>() {
        Some(s) if s.len() > 1 && s.windows(2).all(|w| w[1].0 == w[0].1 + 1) => {
            pattern(Some((s[0].0, s[s.len() - 1].1)))
        }
        _ => {
            let patterns = statuses.iter().map(|s| pattern(span(s)));
            quote!(#(#patterns)|*)
        }
    }
}

/// The function that decodes an operation's error bodies: `untyped_body` when it documents
/// none, else the shared decoder for its mapping of statuses to types (see [`decoders`]).
fn error_decoder(api: &Api, errors: &[ErrorCase]) -> TokenStream {
    let Some(mapping) = error_mapping(api, errors) else {
        return quote!(|_, body| untyped_body(body));
    };
    let name = format_ident!("{}", decoder_name(api, &mapping));
    quote!(crate::error_body::#name)
}

/// Which typed error body each status gets: groups of statuses and their variant, then the
/// variant of every other status. `None` when the operation documents no typed body.
type Mapping<'a> = (Vec<(Vec<Status>, &'a str)>, Option<&'a str>);

fn error_mapping<'a>(api: &'a Api, errors: &[ErrorCase]) -> Option<Mapping<'a>> {
    let mut groups: Vec<(Vec<Status>, &str)> = Vec::new();
    let mut default = None;
    let typed = |c: &ErrorCase| Some((c.status, api.error_variant(c.ty?)?));
    for (status, variant) in errors.iter().filter_map(typed) {
        match groups.iter_mut().find(|(_, v)| *v == variant) {
            _ if status == Status::Default => default = Some(variant),
            Some((statuses, _)) => statuses.push(status),
            None => groups.push((vec![status], variant)),
        }
    }
    (!groups.is_empty() || default.is_some()).then_some((groups, default))
}

/// `errors_400_401_403_404_409_422`: the typed statuses, and the types if two mappings share them.
fn decoder_name(api: &Api, mapping: &Mapping) -> String {
    let statuses = |(groups, default): &Mapping| {
        let typed = groups.iter().flat_map(|(s, _)| s.iter().map(|s| s.text()));
        let mut all: Vec<String> = typed.collect();
        all.sort();
        all.extend(default.map(|_| "other".to_string()));
        all.join("_")
    };
    let shared = api
        .operations()
        .filter_map(|(_, op)| error_mapping(api, &op.errors))
        .any(|other| statuses(&other) == statuses(mapping) && other != *mapping);
    let mut name = format!("errors_{}", statuses(mapping));
    if shared {
        let variants = mapping.0.iter().map(|(_, v)| *v).chain(mapping.1);
        name.extend(variants.map(|v| format!("_{}", heck::AsSnakeCase(v))));
    }
    name
}

/// One decoder per distinct mapping the operations use, by name: each a `fn(status, body)`
/// choosing the error body type by status, shared by the operations with that mapping.
pub fn decoders(api: &Api) -> BTreeMap<String, TokenStream> {
    let mut out = BTreeMap::new();
    let mapping = |(_, op): (&TagApi, &Operation)| error_mapping(api, &op.errors);
    for mapping in api.operations().filter_map(mapping) {
        let (groups, default) = &mapping;
        let arm = |(statuses, variant): &(Vec<Status>, &str)| {
            let pattern = statuses_pattern(statuses);
            let text: Vec<String> = statuses.iter().map(|s| s.text()).collect();
            let typed = format!("{} as `{variant}`", text.join(", "));
            let variant = ident(variant);
            let arm = quote!(#pattern => typed_body(body, ErrorBody::#variant),);
            (arm, typed)
        };
        let (arms, mut typed): (Vec<_>, Vec<_>) = groups.iter().map(arm).unzip();
        typed.extend(default.map(|variant| format!("any other as `{variant}`")));
        let fallback = match default.map(ident) {
            Some(variant) => quote!(typed_body(body, ErrorBody::#variant)),
            // A path, not an import: with every typed body from `default`, none falls back.
            None => quote!(crate::runtime::error::untyped_body(body)),
        };
        let by_status = quote!(match status { #(#arms)* _ => #fallback, });
        // Only `default` typed: every status reads alike.
        let (status, decode) = match groups.is_empty() {
            true => (quote!(_), fallback),
            false => (quote!(status), by_status),
        };
        let name = decoder_name(api, &mapping);
        let function = format_ident!("{}", name);
        let doc = format!(" Error bodies typed by status: {}.", typed.join("; "));
        out.entry(name).or_insert_with(|| {
            quote! {
                #[doc = #doc]
                pub(crate) fn #function(#status: u16, body: &[u8]) -> ErrorBody {
                    #decode
                }
            }
        });
    }
    out
}
