//! IR types → Rust type syntax.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{is_keyword, Api, Ty};

/// An identifier, raw (`r#type`) for a keyword.
pub fn ident(name: &str) -> Ident {
    match is_keyword(name) {
        true => Ident::new_raw(name, Span::call_site()),
        false => Ident::new(name, Span::call_site()),
    }
}

/// How code in a module reaches the models.
#[derive(Clone, Copy)]
pub enum ModelPath {
    /// From inside `models`: `super::Name`.
    Sibling,
    /// From elsewhere in the crate: `models::Name` (with `use crate::models;`).
    Models,
}

pub fn ty(api: &Api, ty: &Ty, path: ModelPath) -> TokenStream {
    match ty {
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::U64 => quote!(u64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::String => quote!(String),
        Ty::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        Ty::Date => quote!(chrono::NaiveDate),
        Ty::Uuid => quote!(uuid::Uuid),
        Ty::Bytes => quote!(Vec<u8>),
        Ty::File => quote!(crate::FilePart),
        Ty::Any => quote!(serde_json::Value),
        Ty::AnyObject => quote!(serde_json::Map<String, serde_json::Value>),
        Ty::Named(id) => {
            let name = ident(&api.ty(*id).name);
            match path {
                ModelPath::Sibling => quote!(super::#name),
                ModelPath::Models => quote!(models::#name),
            }
        }
        Ty::List(inner) | Ty::Map(inner) | Ty::Nullable(inner) => {
            let inner = self::ty(api, inner, path);
            match ty {
                Ty::List(_) => quote!(Vec<#inner>),
                Ty::Map(_) => quote!(std::collections::BTreeMap<String, #inner>),
                _ => quote!(Option<#inner>),
            }
        }
        Ty::Tuple(items) => {
            let items = items.iter().map(|t| self::ty(api, t, path));
            // `(T,)`: a one-element tuple needs its trailing comma.
            quote!((#(#items,)*))
        }
    }
}
