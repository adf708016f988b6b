//! What an operation's method looks like from outside: its arguments, how they are passed
//! on, and what it returns. The method, its blocking twin, its example and its docs page all
//! read them from here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ty::{ident, ty, ModelPath};
use crate::ir::{
    Api, Content, MediaKind, Operation, Param, ParamLocation, PathPart, Returns, Ty, TypeKind,
};

const PATH: ModelPath = ModelPath::Models;

pub fn content_ty(api: &Api, content: &Content) -> TokenStream {
    match content.kind {
        MediaKind::Ndjson => quote!(crate::NdjsonStream),
        MediaKind::Text => quote!(String),
        MediaKind::Binary => quote!(bytes::Bytes),
        MediaKind::Json | MediaKind::Form => ty(api, &content.ty, PATH),
    }
}

/// A param whose type is a constant is filled in, never asked for.
pub fn const_param(api: &Api, p: &Param) -> bool {
    fixed_value(api, p).is_some()
}

/// Required arguments: strings borrowed, small scalars by value, the rest by reference.
fn arg(api: &Api, p: &Param) -> TokenStream {
    let rust = ident(&p.rust_name);
    let t = arg_type(api, p);
    quote!(#rust: #t)
}

/// The type a required parameter is passed as: text borrowed, small scalars by value, the rest
/// by reference.
pub fn arg_type(api: &Api, p: &Param) -> TokenStream {
    match &p.ty {
        Ty::String => quote!(&str),
        t if by_value(t) => ty(api, t, PATH),
        other => {
            let inner = ty(api, other, PATH);
            quote!(&#inner)
        }
    }
}

/// The value of a parameter the API fixes (its type is a constant), which the method fills
/// in rather than asks for.
pub fn fixed_value<'a>(api: &'a Api, p: &Param) -> Option<&'a str> {
    match &p.ty {
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Const(value) => Some(value),
            _ => None,
        },
        _ => None,
    }
}

/// A sentence for an operation with parameters the API fixes to one value, which its method
/// does not ask for.
pub fn fixed_note(api: &Api, op: &Operation) -> Option<String> {
    let fixed: Vec<String> = op
        .params
        .iter()
        .filter_map(|p| fixed_value(api, p).map(|v| format!("`{}` is `{v}`", p.name)))
        .collect();
    if fixed.is_empty() {
        return None;
    }
    let wildcard = op.params.iter().any(|p| fixed_value(api, p) == Some("~"));
    Some(format!(
        "The API fixes {} {}{}, so the method does not ask for {}.",
        if fixed.len() == 1 {
            "one parameter:"
        } else {
            "these parameters:"
        },
        fixed.join(" and "),
        if wildcard {
            " (`~` stands for any)"
        } else {
            ""
        },
        if fixed.len() == 1 { "it" } else { "them" },
    ))
}

/// Small scalars are passed by value; everything else is borrowed.
pub fn by_value(t: &Ty) -> bool {
    matches!(t, Ty::Bool | Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64)
}

/// The method's arguments after `&self`: required parameters, the optional-parameter
/// struct, the body.
pub fn arguments(api: &Api, op: &Operation) -> Vec<TokenStream> {
    let mut args: Vec<TokenStream> = op
        .required_params()
        .filter(|p| !const_param(api, p))
        .map(|p| arg(api, p))
        .collect();
    if let Some(params_type) = &op.params_type {
        let params_type = ident(params_type);
        args.push(quote!(params: &#params_type));
    }
    if let Some(body) = &op.body {
        let body_ty = match body.kind {
            MediaKind::Text => quote!(str),
            MediaKind::Binary => quote!([u8]),
            _ => ty(api, &body.ty, PATH),
        };
        args.push(if body.required {
            quote!(body: &#body_ty)
        } else {
            quote!(body: Option<&#body_ty>)
        });
    }
    args
}

/// `pub async fn name(&self, ...) -> Result<R, Error>`, for the method and for docs.
pub fn signature(api: &Api, op: &Operation) -> TokenStream {
    let fn_name = ident(&op.fn_name);
    let args = arguments(api, op);
    let returns = return_type(api, op);
    quote!(pub async fn #fn_name(&self, #(#args),*) -> Result<#returns, Error>)
}

/// What a successful call returns, as a Rust type.
pub fn return_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.returns {
        Returns::Unit => quote!(()),
        Returns::One(content) => content_ty(api, content),
        Returns::Choice { type_name, .. } => {
            let name = ident(type_name);
            quote!(#name)
        }
    }
}

/// A sentence for an operation whose path arguments do not come in the order its path names
/// them: they follow the order the document declares them in, and two of one type (the try
/// number and the map index, say) would otherwise be swapped unnoticed.
pub fn order_note(api: &Api, op: &Operation) -> Option<String> {
    let arguments: Vec<&str> = op
        .required_params()
        .filter(|p| p.location == ParamLocation::Path && !const_param(api, p))
        .map(|p| p.name.as_str())
        .collect();
    let in_path: Vec<&str> = op
        .path_parts
        .iter()
        .filter_map(|part| match part {
            PathPart::Param(i) if !const_param(api, &op.params[*i]) => {
                Some(op.params[*i].name.as_str())
            }
            _ => None,
        })
        .collect();
    (arguments != in_path).then(|| {
        let names: Vec<String> = arguments.iter().map(|n| format!("`{n}`")).collect();
        format!(
            "The arguments follow the order the API declares them in ({}), not their order in \
             the path.",
            names.join(", ")
        )
    })
}

/// An argument of a method whose result outlives the call (a streaming twin): how it is
/// declared, made owned, and lent to the operation on each call.
pub struct Owned {
    pub name: proc_macro2::Ident,
    pub decl: TokenStream,
    /// `let name = name.into();`, for arguments that take anything that converts.
    pub own: Option<TokenStream>,
    /// Copied into each call rather than cloned.
    pub copy: bool,
    pub lend: TokenStream,
}

/// The arguments of [`arguments`], owned: text as `impl Into<String>`, the parameter struct
/// as `impl Into<Params>` (a reference converts too), everything else by value.
pub fn owned_arguments(api: &Api, op: &Operation) -> Vec<Owned> {
    let mut out: Vec<Owned> = op
        .required_params()
        .filter(|p| !const_param(api, p))
        .map(|p| {
            let name = ident(&p.rust_name);
            let t = ty(api, &p.ty, PATH);
            match &p.ty {
                Ty::String => Owned {
                    decl: quote!(#name: impl Into<String>),
                    own: Some(quote!(let #name: String = #name.into();)),
                    copy: false,
                    lend: quote!(&#name),
                    name,
                },
                t2 if by_value(t2) => Owned {
                    decl: quote!(#name: #t),
                    own: None,
                    copy: true,
                    lend: quote!(#name),
                    name,
                },
                _ => Owned {
                    decl: quote!(#name: #t),
                    own: None,
                    copy: false,
                    lend: quote!(&#name),
                    name,
                },
            }
        })
        .collect();
    if let Some(params_type) = &op.params_type {
        let params_type = ident(params_type);
        out.push(Owned {
            name: format_ident!("params"),
            decl: quote!(params: impl Into<#params_type>),
            own: Some(quote!(let params: #params_type = params.into();)),
            copy: false,
            lend: quote!(&params),
        });
    }
    if let Some(body) = &op.body {
        let body_ty = match body.kind {
            MediaKind::Text => quote!(String),
            MediaKind::Binary => quote!(Vec<u8>),
            _ => ty(api, &body.ty, PATH),
        };
        let (decl, lend) = if body.required {
            (quote!(body: #body_ty), quote!(&body))
        } else {
            (quote!(body: Option<#body_ty>), quote!(body.as_ref()))
        };
        out.push(Owned {
            name: format_ident!("body"),
            decl,
            own: None,
            copy: false,
            lend,
        });
    }
    out
}
