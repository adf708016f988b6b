//! What an operation's method looks like from outside: its arguments, how they are passed on,
//! what it returns. The method, its blocking twin, its example and docs page all read it here.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, ToTokens};

use super::models::unaliased;
use super::ty::{ident, ty, ModelPath};
use crate::ir::{
    Api, MediaKind, Operation, Param, ParamLocation, Returns, Ty, TypeDef, TypeId, TypeKind,
};

const PATH: ModelPath = ModelPath::Models;

/// What a media type means for the code, decided in this one place: the Rust type of a
/// response body and how it is read, and how a request body is passed and sent.
pub struct Media {
    /// A response body's type.
    pub response: TokenStream,
    /// `response`'s body, read (`?` where reading can fail)...
    pub read: TokenStream,
    /// ...and as a `Result`.
    pub read_result: TokenStream,
    /// A request body's type, borrowed (behind `&`) and owned.
    pub borrowed: TokenStream,
    pub owned: TokenStream,
    /// The statement that puts `body` into `request`.
    pub send: TokenStream,
}

pub fn media(api: &Api, kind: MediaKind, body: &Ty, media_type: &str) -> Media {
    use MediaKind::{Binary, BracketForm, Events, Form, Json, Multipart, Ndjson, Text};
    let t = ty(api, body, PATH);
    let (response, read) = match kind {
        Json | Form | BracketForm => (t.clone(), quote!(response.json())),
        Ndjson => (quote!(crate::NdjsonStream), quote!(response.ndjson())),
        Events => (quote!(crate::EventStream), quote!(response.events())),
        Text => (quote!(String), quote!(response.text())),
        Binary | Multipart => (quote!(bytes::Bytes), quote!(response.bytes())),
    };
    let send = match kind {
        Json => quote!(request.json(#media_type, body);),
        Ndjson | Events => quote!(request.json("application/json", body);),
        Form => quote!(request.form(body);),
        BracketForm => quote!(request.bracket_form(body);),
        Multipart => quote!(request.multipart(body);),
        Text => quote!(request.body(#media_type, body.as_bytes().to_vec());),
        Binary => quote!(request.body(#media_type, body.to_vec());),
    };
    let (borrowed, owned) = match kind {
        Text => (quote!(str), quote!(String)),
        Binary => (quote!([u8]), quote!(Vec<u8>)),
        _ => (t.clone(), t),
    };
    let (read, read_result) = match kind {
        Json | Form | BracketForm => (quote!(#read?), read),
        _ => (read.clone(), quote!(Ok(#read))),
    };
    Media {
        response,
        read,
        read_result,
        borrowed,
        owned,
        send,
    }
}

/// What the method fills in rather than asks for: a required parameter the API fixes (a constant)
/// or a required header's text default (a versioned `Accept`; a call's own header replaces it).
pub fn fixed_value<'a>(api: &'a Api, p: &'a Param) -> Option<&'a str> {
    match p.ty.named_kind(&api.types) {
        Some(TypeKind::Const(value)) if p.required => Some(value),
        _ if p.required && p.location == ParamLocation::Header => p.default.as_ref()?.as_str(),
        _ => None,
    }
}

/// The types the crate has a model for: all but the constants only required parameters name
/// (the API fixes them, and their methods fill them in).
pub fn models(api: &Api) -> Vec<&TypeDef> {
    let ops = || api.operations().map(|(_, op)| op);
    let bodies = ops().filter_map(|op| Some(&op.body.as_ref()?.ty));
    let optional = ops().flat_map(|op| op.optional_params().map(|p| &p.ty));
    let tys = api.types.iter().flat_map(|def| def.kind.tys());
    let tys = tys.chain(bodies).chain(optional);
    let named: BTreeSet<TypeId> = tys.flat_map(Ty::named).collect();
    let filled_in = |id| matches!(api.ty(id).kind, TypeKind::Const(_)) && !named.contains(&id);
    let types = api.types.iter().enumerate();
    let types = types.filter(|(at, _)| !filled_in(TypeId(*at)));
    types.map(|(_, def)| def).collect()
}

/// A sentence for an operation with parameters the API fixes, which its method does not ask for.
pub fn fixed_note(api: &Api, op: &Operation) -> Option<String> {
    let said = |p: &Param| Some(format!("`{}` is `{}`", p.name, fixed_value(api, p)?));
    let fixed: Vec<String> = op.params.iter().filter_map(said).collect();
    let (which, them) = match fixed.len() {
        0 => return None,
        1 => ("one parameter:", "it"),
        _ => ("these parameters:", "them"),
    };
    let any = op.params.iter().any(|p| fixed_value(api, p) == Some("~"));
    let wildcard = if any { " (`~` stands for any)" } else { "" };
    Some(format!(
        "The API fixes {which} {}{wildcard}, so the method does not ask for {them}.",
        fixed.join(" and ")
    ))
}

/// The own type of each required integer parameter, with the parameter it is named for.
pub fn id_types(api: &Api) -> BTreeMap<&str, &str> {
    let params = api.operations().flat_map(|(_, op)| op.required_params());
    let ids = params.filter_map(|p| Some((p.id_type.as_deref()?, p.name.as_str())));
    ids.collect()
}

/// Small scalars are passed by value; everything else is borrowed.
pub fn by_value(t: &Ty) -> bool {
    use Ty::{Bool, F32, F64, I32, I64, U64};
    matches!(t, Bool | I32 | I64 | U64 | F32 | F64)
}

/// One argument of an operation's method after `&self`: a required parameter, the
/// optional-parameter struct, or the body. The method, its blocking and streaming twins, its
/// example and its docs page all read it from here.
pub struct Argument {
    pub name: Ident,
    /// The type the method takes: text borrowed, small scalars by value, the rest by reference.
    pub borrowed: TokenStream,
    /// The type a streaming twin takes, which owns its arguments: text and the parameter
    /// struct as anything that converts, the rest by value.
    pub owned: TokenStream,
    /// `let name: T = name.into();`, for an owned argument that converts.
    pub own: Option<TokenStream>,
    /// How the owned argument is lent to the method.
    pub lend: TokenStream,
    /// Copied into each call of a streaming twin rather than cloned.
    pub copy: bool,
    /// An example value, as the method takes it.
    pub example: String,
}

/// The method's arguments after `&self`: required parameters (those the API fixes are filled
/// in, not asked for), the optional-parameter struct, the body.
pub fn arguments(api: &Api, op: &Operation) -> Vec<Argument> {
    let asked = |p: &Param| fixed_value(api, p).is_none().then(|| parameter(api, p));
    let mut out: Vec<Argument> = op.required_params().filter_map(asked).collect();
    if let Some(params_type) = &op.params_type {
        let t = ident(params_type);
        out.push(Argument {
            name: format_ident!("params"),
            borrowed: quote!(&#t),
            owned: quote!(impl Into<#t>),
            own: Some(quote!(let params: #t = params.into();)),
            lend: quote!(&params),
            copy: false,
            example: format!("&{params_type}::default()"),
        });
    }
    if let Some(body) = &op.body {
        let media = media(api, body.kind, &body.ty, &body.media_type);
        let (borrowed, owned) = (media.borrowed, media.owned);
        let (borrowed, owned, lend, example) = if body.required {
            (quote!(&#borrowed), owned, quote!(&body), "&body")
        } else {
            let (borrowed, owned) = (quote!(Option<&#borrowed>), quote!(Option<#owned>));
            (borrowed, owned, quote!(body.as_ref()), "Some(&body)")
        };
        out.push(Argument {
            name: format_ident!("body"),
            borrowed,
            owned,
            own: None,
            lend,
            copy: false,
            example: example.into(),
        });
    }
    out
}

pub fn parameter(api: &Api, p: &Param) -> Argument {
    let name = ident(&p.rust_name);
    let t = ty(api, &p.ty, PATH);
    let example = super::examples::value(api, &p.ty, &p.name, 0);
    let copy = by_value(&p.ty);
    // A named string (`pub type Name = String`) is taken as text too.
    let (borrowed, owned, own, example) = match (unaliased(api, &p.ty), &p.id_type) {
        (_, Some(id_type)) => {
            let t = ident(id_type).to_token_stream();
            (t.clone(), t, None, format!("{id_type}({example})"))
        }
        (Ty::String, _) => {
            let own = quote!(let #name: String = #name.into(););
            (quote!(&str), quote!(impl Into<String>), Some(own), example)
        }
        _ if copy => (t.clone(), t, None, example),
        _ => (quote!(&#t), t, None, format!("&{example}")),
    };
    let lend = if copy { quote!(#name) } else { quote!(&#name) };
    Argument {
        name,
        borrowed,
        owned,
        own,
        lend,
        copy,
        example,
    }
}

impl Argument {
    /// `name: Type`, as the method declares it, or a streaming twin when `owned`.
    pub fn declaration(&self, owned: bool) -> TokenStream {
        let name = &self.name;
        let t = if owned { &self.owned } else { &self.borrowed };
        quote!(#name: #t)
    }
}

/// `pub fn name(&self, ...) -> Pending<R>`, for the method and for docs.
pub fn signature(api: &Api, op: &Operation) -> TokenStream {
    let fn_name = ident(&op.fn_name);
    let args = arguments(api, op).into_iter().map(|a| a.declaration(false));
    let returns = return_type(api, op);
    quote!(pub fn #fn_name(&self, #(#args),*) -> Pending<#returns>)
}

/// What a successful call returns, as a Rust type.
pub fn return_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.returns {
        Returns::Unit => quote!(()),
        Returns::One(c) => media(api, c.kind, &c.ty, &c.media_type).response,
        Returns::Choice { type_name, .. } => ident(type_name).to_token_stream(),
    }
}

/// A sentence for an operation whose path arguments do not come in the order its path names
/// them: they follow the order the document declares them in, and two of one type (the try
/// number and the map index, say) would otherwise be swapped unnoticed.
pub fn order_note(api: &Api, op: &Operation) -> Option<String> {
    let asked = |p: &&Param| p.location == ParamLocation::Path && fixed_value(api, p).is_none();
    let quoted = |p: &Param| format!("`{}`", p.name);
    let arguments: Vec<String> = op.required_params().filter(asked).map(quoted).collect();
    let in_path: Vec<String> = op.path_params().filter(asked).map(quoted).collect();
    if in_path == arguments {
        return None;
    }
    Some(format!(
        "The arguments follow the order the API declares them in ({}), not their order in the \
         path.",
        arguments.join(", ")
    ))
}
