//! Chained setters: how parameter structs and request bodies are filled in, one style for
//! both (`.state([TaskInstanceState::Failed]).limit(100)`, `.note("checked")`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Namespace, Ty, METHODS};

/// How a setter stores its value in the field.
#[derive(Clone, Copy)]
pub enum Slot {
    /// `Option<T>`.
    Some,
    /// `Maybe<T>`.
    Value,
    /// `T`, a required field.
    Plain,
}

/// An argument's type, and how the argument `input` becomes the value: text, lists and named
/// types and JSON values take anything that converts: `.task_id("t")`, `.state(["failed"])`.
pub fn arg(api: &Api, t: &Ty, path: ModelPath, input: &Ident) -> (TokenStream, TokenStream) {
    match t {
        Ty::String => (quote!(impl Into<String>), quote!(#input.into())),
        Ty::DateTime => (
            quote!(chrono::DateTime<impl chrono::TimeZone>),
            quote!(#input.with_timezone(&chrono::Utc)),
        ),
        Ty::List(inner) => {
            let inner = ty(api, inner, path);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner>>),
                quote!(#input.into_iter().map(Into::into).collect()),
            )
        }
        // A number by another name is taken as it is, so a literal (`1`) is of its type.
        Ty::Named(_) if super::signature::by_value(super::models::unaliased(api, t)) => {
            (ty(api, t, path), quote!(#input))
        }
        Ty::Named(_) | Ty::File | Ty::Any => {
            let full = ty(api, t, path);
            (quote!(impl Into<#full>), quote!(#input.into()))
        }
        other => (ty(api, other, path), quote!(#input)),
    }
}

/// The methods of std's operator traits, which a setter (`fn(self, value) -> Self`) would look
/// like to clippy's `should_implement_trait`.
const OPERATORS: &str = "add sub mul div rem shl shr bitand bitor bitxor";

/// Each field's setter name and its null setter's, for `rust_names` in order: the field's own
/// and `{field}_null`, but for a method the type has already (`set_default` for `default`).
pub fn setter_names(rust_names: &[&str]) -> Vec<(String, String)> {
    let methods = || METHODS.split(' ').chain(OPERATORS.split(' '));
    let mut taken = Namespace::reserving(methods().chain(rust_names.iter().copied()));
    let mut setter = |f: &str| match methods().any(|m| m == f) {
        true => taken.unique(format!("set_{f}")),
        false => f.to_string(),
    };
    let setters: Vec<String> = rust_names.iter().map(|f| setter(f)).collect();
    // `self_null`, not `self__null`, for the keyword's field `self_`.
    let null = |f: &&str| taken.unique(format!("{}_null", f.trim_end_matches('_')));
    let nulls = rust_names.iter().map(null);
    setters.into_iter().zip(nulls).collect()
}

/// `setter!(kind field: Type);`, one line: the runtime's macro writes the setter of `field` (of
/// type `t`, boxed when `boxed`) for the kind of value it takes, named as [`setter_names`] says.
pub fn setter(
    api: &Api,
    (field, (setter, null)): (&str, &(String, String)),
    t: &Ty,
    slot: Slot,
    boxed: bool,
    path: ModelPath,
) -> TokenStream {
    let alias = ident(setter);
    let renamed = (setter != field).then(|| quote!(as #alias));
    let (field, null) = (ident(field), ident(null));
    let (kind, value) = match t {
        _ if boxed => ("boxed", t),
        Ty::String => ("text", t),
        Ty::DateTime => ("date", t),
        Ty::List(inner) => ("list", &**inner),
        Ty::Named(_) | Ty::File | Ty::Any => ("into", t),
        _ => ("value", t),
    };
    let kind = format_ident!("{}", kind);
    let value = ty(api, value, path);
    // A field that can be sent as `null` gets a second setter for that; a required one is
    // set as it is, not as an option.
    let mode = match slot {
        Slot::Some => None,
        Slot::Value => Some(quote!(, null #null)),
        Slot::Plain => Some(quote!(, required)),
    };
    quote!(setter!(#kind #field #renamed: #value #mode);)
}
