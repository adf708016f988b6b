//! What an operation's method looks like from outside: its arguments, how they are passed
//! on, and what it returns. The method, its blocking twin, its example and its docs page all
//! read them from here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Content, MediaKind, Operation, Param, Returns, Ty, TypeKind};

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
    matches!(&p.ty, Ty::Named(id) if matches!(api.ty(*id).kind, TypeKind::Const(_)))
}

/// Required arguments: strings borrowed, small scalars by value, the rest by reference.
fn arg(api: &Api, p: &Param, lifetime: &TokenStream) -> TokenStream {
    let rust = ident(&p.rust_name);
    let t = match &p.ty {
        Ty::String => quote!(&#lifetime str),
        t if by_value(t) => ty(api, t, PATH),
        other => {
            let inner = ty(api, other, PATH);
            quote!(&#lifetime #inner)
        }
    };
    quote!(#rust: #t)
}

/// Small scalars are passed by value; everything else is borrowed.
pub fn by_value(t: &Ty) -> bool {
    matches!(t, Ty::Bool | Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64)
}

/// The method's arguments after `&self`: required parameters, the optional-parameter
/// struct, the body.
pub fn arguments(api: &Api, op: &Operation) -> Vec<TokenStream> {
    arguments_in(api, op, &quote!())
}

/// [`arguments`] with `lifetime` (say `'a`) on every reference.
pub fn arguments_in(api: &Api, op: &Operation, lifetime: &TokenStream) -> Vec<TokenStream> {
    let mut args: Vec<TokenStream> = op
        .required_params()
        .filter(|p| !const_param(api, p))
        .map(|p| arg(api, p, lifetime))
        .collect();
    if let Some(params_type) = &op.params_type {
        let params_type = ident(params_type);
        args.push(quote!(params: &#lifetime #params_type));
    }
    if let Some(body) = &op.body {
        let body_ty = match body.kind {
            MediaKind::Text => quote!(str),
            MediaKind::Binary => quote!([u8]),
            _ => ty(api, &body.ty, PATH),
        };
        args.push(if body.required {
            quote!(body: &#lifetime #body_ty)
        } else {
            quote!(body: Option<&#lifetime #body_ty>)
        });
    }
    args
}

/// Names of the arguments, in signature order, to pass them through.
pub fn passed(api: &Api, op: &Operation) -> Vec<proc_macro2::Ident> {
    let mut names: Vec<_> = op
        .required_params()
        .filter(|p| !const_param(api, p))
        .map(|p| ident(&p.rust_name))
        .collect();
    if op.params_type.is_some() {
        names.push(format_ident!("params"));
    }
    if op.body.is_some() {
        names.push(format_ident!("body"));
    }
    names
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
