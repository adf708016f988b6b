//! Chained setters: how parameter structs and request bodies are filled in, one style for
//! both (`.state([TaskInstanceState::Failed]).limit(100)`, `.note("checked")`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Ty, TypeKind};

/// How a setter stores its value in the field.
#[derive(Clone, Copy)]
pub enum Slot {
    /// `Option<T>`.
    Some,
    /// `Maybe<T>`.
    Value,
}

/// An argument's type, and how the argument named `input` becomes the value: text, lists and
/// named types take anything that converts, so `.task_id("t")` and `.state(["failed"])` just
/// work.
pub fn arg(api: &Api, t: &Ty, path: ModelPath, input: &Ident) -> (TokenStream, TokenStream) {
    match t {
        Ty::String => (quote!(impl Into<String>), quote!(#input.into())),
        // A union's arms convert into it with `.into()`, which needs the item type known.
        Ty::List(inner) if is_union(api, inner) => {
            let inner = ty(api, inner, path);
            (
                quote!(impl IntoIterator<Item = #inner>),
                quote!(#input.into_iter().collect()),
            )
        }
        Ty::List(inner) => {
            let inner = ty(api, inner, path);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner>>),
                quote!(#input.into_iter().map(Into::into).collect()),
            )
        }
        Ty::Named(_) | Ty::File => {
            let full = ty(api, t, path);
            (quote!(impl Into<#full>), quote!(#input.into()))
        }
        other => (ty(api, other, path), quote!(#input)),
    }
}

fn is_union(api: &Api, t: &Ty) -> bool {
    matches!(t, Ty::Named(id) if matches!(api.ty(*id).kind, TypeKind::Union(_)))
}

/// `setter!(kind field: Type);`, one line: the runtime's macro writes the setter of field
/// `rust_name` (of type `t`, boxed when `boxed`) for the kind of value it takes.
pub fn setter(
    api: &Api,
    rust_name: &str,
    t: &Ty,
    slot: Slot,
    boxed: bool,
    path: ModelPath,
) -> TokenStream {
    let field = ident(rust_name);
    let (kind, value) = match (slot, t) {
        (Slot::Value, _) => ("maybe", t),
        (Slot::Some, _) if boxed => ("boxed", t),
        (Slot::Some, Ty::String) => ("text", t),
        (Slot::Some, Ty::List(inner)) if is_union(api, inner) => ("items", &**inner),
        (Slot::Some, Ty::List(inner)) => ("list", &**inner),
        (Slot::Some, Ty::Named(_) | Ty::File) => ("into", t),
        (Slot::Some, _) => ("value", t),
    };
    let kind = format_ident!("{}", kind);
    let mut value = ty(api, value, path);
    if boxed && matches!(slot, Slot::Value) {
        value = quote!(Box<#value>);
    }
    quote!(setter!(#kind #field: #value);)
}
