//! The crate's frame: `lib.rs`, module indexes, the error body enum, manifest and README.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, inner_doc_attrs, Para};
use super::ty::ident;
use super::EmitConfig;
use crate::error::Result;
use crate::ir::{Api, Method, Ty};
use crate::templates::Templates;

/// How deep a type nests, about as clippy's `type_complexity` scores it (a map's key counts too).
fn nesting(ty: &Ty) -> usize {
    match ty {
        Ty::List(inner) | Ty::Nullable(inner) => 1 + nesting(inner),
        Ty::Map(inner) => 2 + nesting(inner),
        Ty::Tuple(items) => items.len() + items.iter().map(nesting).sum::<usize>(),
        _ => 0,
    }
}

/// `lib.rs`: the modules (the printed ones, `template_modules` copied from `src/` of the
/// templates, the runtime), re-exports, and what the runtime needs to know of the API.
///
/// The printed modules carry `#[rustfmt::skip]`, so `cargo fmt` leaves the code as the
/// generator wrote it; the templates are in rustfmt's form already.
pub fn lib_rs(api: &Api, template_modules: &[String], runtime: &[String]) -> TokenStream {
    let printed = ["apis", "error_body", "models", "runtime"];
    let mut modules: Vec<(&str, bool)> = printed.iter().map(|name| (*name, true)).collect();
    modules.extend(template_modules.iter().map(|m| (m.as_str(), false)));
    modules.sort();
    let modules = modules.into_iter().map(|(name, printed)| {
        let public = !matches!(name, "error_body" | "runtime");
        let public = public.then(|| quote!(pub));
        let feature = (name == "blocking").then(|| quote!(#[cfg(feature = "blocking")]));
        let skip = printed.then(|| quote!(#[rustfmt::skip]));
        let name = format_ident!("{}", name);
        quote!(#feature #skip #public mod #name;)
    });
    // What only some crates' runtime has is re-exported where it is there.
    let reexport = |module: &str, items: TokenStream| {
        let name = format_ident!("{}", module);
        let has = runtime.iter().any(|m| m == module);
        has.then(|| quote!(pub use runtime::#name::#items;))
    };
    let paging = reexport("paging", quote!({PageStart, Paged}));
    let pending = reexport("pending", quote!({Pending, Reply}));
    let multipart = reexport("multipart", quote!(FilePart));
    let events = reexport("events", quote!({Event, EventStream}));
    let token_url = api.token_url.as_ref();
    let token_url = token_url.map_or(quote!(None), |(url, form)| quote!(Some((#url, #form))));
    let releases = api.releases.as_ref();
    let version_endpoint = releases.and_then(|r| r.version_endpoint.as_ref());
    let version_endpoint = version_endpoint.map_or(quote!(None), |(p, f)| quote!(Some((#p, #f))));
    let product = releases.map_or("the API", |r| r.product.as_str());
    let tag_types: Vec<_> = api.apis.iter().map(|t| ident(&t.type_name)).collect();
    let apis_use = (!tag_types.is_empty()).then(|| quote!(pub use apis::{#(#tag_types),*};));
    let mut tys = api.types.iter().flat_map(|t| t.kind.tys());
    let deep = tys.any(|ty| nesting(ty) >= 5).then(|| {
        quote!(#![allow(clippy::type_complexity, reason = "types nest as deep as the document's")])
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            reason = "the document's prose is written for web renderers and passes through as \
                      written; rustdoc's list-indentation lints would reject it"
        )]
        #deep
        #![warn(missing_docs)]

        #(#modules)*

        // The crates whose types the API shows (dates, JSON values, ids, HTTP methods) and the
        // stream traits, so callers need not depend on them to use it. In rustfmt's order,
        // as this file is formatted by it.
        #apis_use
        pub use chrono;
        pub use error_body::ErrorBody;
        pub use futures_core::Stream;
        pub use futures_util::{StreamExt, TryStreamExt};
        pub use reqwest;
        pub use runtime::call::Call;
        pub use runtime::client::{Client, ClientBuilder};
        pub use runtime::encoding::QueryStyle;
        pub use runtime::error::{ApiError, Detail, Error, Problem};
        #events
        pub use runtime::maybe::Maybe;
        #multipart
        pub use runtime::ndjson::NdjsonStream;
        #paging
        #pending
        pub use runtime::retry::RetryPolicy;
        pub use serde_json;
        pub use uuid;

        /// Where [`Client::login`] exchanges a username and password for a token, when the
        /// spec declares an OAuth2 password flow, and whether as a form (RFC 6749) or JSON.
        const TOKEN_URL: Option<(&str, bool)> = #token_url;

        /// Where a server tells its version (a path, and the field of its answer), asked to
        /// explain a 404 or 405 from an operation newer than the server.
        const VERSION_ENDPOINT: Option<(&str, &str)> = #version_endpoint;

        /// What the server's releases are releases of, for messages.
        const PRODUCT: &str = #product;
    }
}

/// `runtime/mod.rs`: the runtime modules the crate got (some are only there for what the
/// API uses), each copied from `templates/src/runtime/`.
pub fn runtime_mod(runtime: &[String]) -> TokenStream {
    let doc = " The runtime: the client and its settings, sending requests with retries and \
               re-login, errors, wire encoding, and what only some APIs need (paging, NDJSON \
               bodies). Written by hand: each module is copied from the generator's \
               `templates/src/runtime/`.";
    let modules = runtime.iter().map(|m| format_ident!("{}", m));
    quote! {
        #![doc = #doc]
        #(pub(crate) mod #modules;)*
    }
}

pub fn error_body(api: &Api) -> TokenStream {
    let typed = api.error_types.iter().map(|e| {
        let def = api.ty(e.ty);
        let (variant, name) = (ident(&e.variant), ident(&def.name));
        let doc = format!(" The documented error body [`models::{}`].", def.name);
        quote!(#[doc = #doc] #variant(models::#name),)
    });
    let import = (!api.error_types.is_empty()).then(|| {
        quote!(
            use crate::models;
            use crate::runtime::typed_body::typed_body;
        )
    });
    let decoders = super::api::decoders(api).into_values();
    // A documented error body is as large as its schema; like a union's arms, it is not
    // boxed to save stack space, so the size lint is waived.
    quote! {
        #import

        /// The body of an error response, decoded as the type the spec documents for its
        /// status when it matches, else kept as JSON or text.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ErrorBody {
            #(#typed)*
            /// JSON of no documented shape.
            Json(serde_json::Value),
            /// A body that is not JSON (a proxy's HTML error page, say).
            Text(String),
            /// No body at all.
            Empty,
        }

        #(#decoders)*
    }
}

pub fn apis_mod(api: &Api) -> TokenStream {
    let modules = api.apis.iter().map(|t| {
        let module = format_ident!("{}", t.module);
        let docs = doc_attrs([Some(Para::Ours(&format!("Operations tagged `{}`.", t.tag)))]);
        quote! {
            #docs
            pub mod #module;
            pub use self::#module::*;
        }
    });
    let title = &api.title;
    let about = api.description.as_deref();
    let about = about.map(|d| format!("# About the {title}\n\nFrom its OpenAPI document:\n\n{d}"));
    let intro = "One API type per tag of the spec, with the parameter types of its operations.";
    let docs = inner_doc_attrs([Some(Para::Ours(intro)), about.as_deref().map(Para::Spec)]);
    // One type per name of the required integer parameters, shared by the operations.
    let ids = super::signature::id_types(api);
    let import = (!ids.is_empty()).then(|| quote! { use crate::runtime::ids::integer_id; });
    let (ids, params): (Vec<_>, Vec<_>) = ids.into_iter().map(|(id, p)| (ident(id), p)).unzip();
    let api_key = api.api_key_header.as_ref().map(|(header, cookie)| {
        let place = match cookie {
            Some(name) => format!("`{name}` cookie"),
            None => format!("`{header}` header"),
        };
        let pair = cookie.as_ref().map(|name| format!("{name}={{}}"));
        let value = pair.map_or(quote!(key), |pair| quote!(format!(#pair, key.into())));
        let doc = format!(
            " Sends `key` in the {place}, as the document's API key scheme asks, in place of a \
             bearer token."
        );
        quote! {
            impl crate::ClientBuilder {
                #[doc = #doc]
                pub fn api_key(self, key: impl Into<String>) -> Self {
                    self.auth_header(reqwest::header::HeaderName::from_static(#header), #value)
                }
            }
        }
    });
    let basic_auth = api.basic_auth.then_some(quote! {
        impl crate::ClientBuilder {
            /// Sends `username` and `password` as HTTP basic credentials, as the document's
            /// security scheme asks, in place of a bearer token.
            pub fn basic_auth(self, username: &str, password: &str) -> Self {
                let credentials = crate::runtime::basic::basic_credentials(username, password);
                self.auth_header(reqwest::header::AUTHORIZATION, credentials)
            }
        }
    });
    quote! {
        #docs
        #import
        #(#modules)*
        #(integer_id!(#ids, #params);)*
        #api_key
        #basic_auth
    }
}

pub fn models_mod(api: &Api) -> TokenStream {
    let modules = super::signature::models(api).into_iter().map(|def| {
        let module = format_ident!("{}", def.module);
        let name = ident(&def.name);
        // `self::`: a model named like a dependency (`bytes`, `serde`) is this module's.
        quote! {
            mod #module;
            pub use self::#module::#name;
        }
    });
    quote! {
        //! The types operations send and receive: one module per schema the selected
        //! operations reach, re-exported here.
        #(#modules)*
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let fill_in =
        |out: String, (key, value): &(&str, &str)| out.replace(&format!("{{{{{key}}}}}"), value);
    values.iter().fold(template.to_string(), fill_in)
}

pub fn manifest(api: &Api, config: &EmitConfig, templates: &Templates) -> Result<String> {
    let template = templates.get("Cargo.toml.in")?;
    let title = api.title.replace('"', "'");
    let description =
        format!("Typed async client for the {title} (generated from its OpenAPI document)");
    let workspace = "\n# Builds on its own, outside any workspace.\n[workspace]\n";
    let package = &config.package;
    let publish = package.unpublished.then_some("publish = false\n");
    let links = [
        ("documentation", Some(&config.documentation())),
        ("homepage", package.homepage.as_ref()),
        ("repository", package.repository.as_ref()),
    ];
    let links = links.map(|(key, value)| value.map(|value| format!("{key} = {value:?}\n")));
    let links: String = links.into_iter().flatten().collect();
    let body = fill(
        template,
        &[
            ("crate_name", &config.crate_name),
            ("crate_version", &config.crate_version),
            ("description", &description),
            ("keywords", &keywords(api)),
            ("links", &links),
            ("publish", publish.unwrap_or_default()),
            ("workspace", if config.standalone { workspace } else { "" }),
        ],
    );
    let by = &config.generated_by;
    let text = format!("# @generated by {by}. Do not edit by hand.\n{body}");
    Ok(text)
}

/// crates.io keywords: the API's name (its title's first word, when usable) and what the crate is.
fn keywords(api: &Api) -> String {
    let name = api.title.split_whitespace().next().unwrap_or_default();
    let name = name.to_ascii_lowercase();
    let usable = name.len() <= 20
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let mut words = vec!["api", "client", "openapi", "rest"];
    if usable && !words.contains(&name.as_str()) {
        words.insert(0, &name);
    }
    Vec::from_iter(words.iter().map(|w| format!("{w:?}"))).join(", ")
}

/// The quick start's login, for a document whose clients exchange a password for a token.
const LOGIN: &str = r#"    // A username and password, exchanged for a token ...
    let client = Client::builder(URL).login("admin", "admin").await?;
    // ... or a token you already have: `Client::new(URL, "my-token")?`."#;

/// The README's word on `_stream` twins, for a crate that has some.
const PAGING: &str =
    "- Paged lists have a `_stream` twin that owns its arguments and walks every page; when a page
  fails for good it ends with the error, and `resume_from()` says where to pick up.\n";

/// `template_modules` decides whether the README points at the `guide` module.
pub fn readme(
    api: &Api,
    config: &EmitConfig,
    templates: &Templates,
    template_modules: &[String],
) -> Result<String> {
    // Plain Markdown: this file is the crates.io page too, where rustdoc's links do not work.
    let guided = template_modules.iter().any(|m| m == "guide");
    let guide = guided.then_some("New here? The `guide` module of the documentation walks from logging in to listing task instances, clearing failed ones and tailing logs.");
    let template = templates.get("README.md.in")?;
    let supported = api.releases.as_ref().map_or(String::new(), |r| {
        let (product, oldest, newest) = (&r.product, &r.oldest, &r.newest);
        format!(
            "## Supported servers\n\nThis client works with {product} {oldest} through {newest}; it was generated from \
             {newest}'s document. Operations, parameters and fields a later release added say \
             \"Since {product} X.Y.Z\" in their docs. A field an older server does not send reads as \
             `None`. An operation the server lacks fails with `Error::Unsupported`; a call that sets a \
             parameter or a body field the server lacks (which it would ignore or refuse) fails \
             with `Error::UnsupportedParameter` before anything is sent; both name the server's \
             version.\n"
        )
    });
    // A real call, as its operation's example makes it: a list with the fewest arguments.
    let ident = config.crate_ident();
    let reads = api.operations().filter(|(_, op)| op.method == Method::GET);
    let first = reads.min_by_key(|(_, op)| (op.paging.is_none(), op.required_params().count()));
    let example = first.map(|(tag, op)| super::examples::call(api, tag, op, false, &ident));
    let example = example.unwrap_or_default();
    let example: Vec<String> = example.lines().map(|line| format!("    {line}")).collect();
    let tags: Vec<&str> = api.apis.iter().map(|tag| tag.tag.as_str()).collect();
    let count = api.operations().count();
    let count = format!("{count} operation{}", if count == 1 { "" } else { "s" });
    let ids = super::signature::id_types(api).into_keys().take(2);
    let ids = Vec::from_iter(ids.map(|id| format!("`{id}(1)`"))).join(", ");
    let ids = (!ids.is_empty()).then(|| format!(" ({ids})"));
    let paged = api.operations().any(|(_, op)| op.paging.is_some());
    // The quick start's client says who it is as the document's clients do; a key in a cookie,
    // most often a browser's session, comes after HTTP basic.
    let api_key = r#"    let client = Client::builder(URL).api_key("my-key").build()?;"#;
    let connect = match (&api.token_url, &api.api_key_header) {
        (Some(_), _) => LOGIN,
        (None, Some((_, None))) => api_key,
        (None, _) if api.basic_auth => {
            r#"    let client = Client::builder(URL).basic_auth("user", "password").build()?;"#
        }
        (None, Some(_)) => api_key,
        (None, None) => r#"    let client = Client::new(URL, "my-token")?;"#,
    }
    .replace("URL", &format!("{:?}", api.server_url));
    let body = fill(
        template,
        &[
            ("guide", guide.unwrap_or_default()),
            ("documentation", &format!("<{}>", config.documentation())),
            ("supported", supported.trim_end()),
            ("crate_name", &config.crate_name),
            ("crate_version", &config.crate_version),
            ("crate_ident", &ident),
            ("tags", &tags.join(", ")),
            ("connect", &connect),
            ("example", &example.join("\n")),
            ("title", &api.title),
            ("api_version", &api.version),
            ("operations", &count),
            ("ids", ids.as_deref().unwrap_or_default()),
            ("paging", if paged { PAGING } else { "" }),
        ],
    );
    let by = &config.generated_by;
    let text = format!("<!-- @generated by {by}. Do not edit by hand. -->\n{body}");
    Ok(text)
}
