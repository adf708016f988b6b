//! One model file per type in the arena.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::serde_impls::{struct_impls, ImplField};
use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Field, Presence, Struct, Ty, TypeDef, TypeKind, Union};

const PATH: ModelPath = ModelPath::Sibling;

pub fn model(api: &Api, def: &TypeDef) -> TokenStream {
    let title = def
        .title
        .as_deref()
        .filter(|t| def.description.is_none() || *t != def.name);
    // Inline schemas often have no prose; say where they come from instead.
    let origin = format!("From the schema at `{}`.", def.pointer);
    let fallback = (title.is_none() && def.description.is_none()).then_some(origin.as_str());
    let docs = doc_attrs(&[title, def.description.as_deref(), fallback]);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => structure(api, def, s, docs),
        TypeKind::Enum(e) => {
            let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust_name)).collect();
            let wires: Vec<_> = e
                .variants
                .iter()
                .map(|v| Literal::string(&v.wire))
                .collect();
            let variant_docs = e
                .variants
                .iter()
                .map(|v| format!(" `{}`", v.wire.replace('`', "'")));
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
                pub enum #name {
                    #(#[doc = #variant_docs] #variants,)*
                    /// A value this client does not know (sent by a newer server).
                    Unknown(String),
                }

                impl #name {
                    /// Every value this client knows.
                    pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];

                    /// The value on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #(#name::#variants => #wires,)*
                            #name::Unknown(other) => other,
                        }
                    }

                    /// The variant for a known wire value.
                    pub fn known(value: &str) -> Option<Self> {
                        match value {
                            #(#wires => Some(#name::#variants),)*
                            _ => None,
                        }
                    }
                }

                crate::open_enum!(#name);
            }
        }
        TypeKind::Const(value) => {
            let wire = Literal::string(value);
            let doc = format!(" Always `{}`.", value.replace('`', "'"));
            quote! {
                #docs
                #[doc = ""]
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
                pub struct #name;

                crate::string_const!(#name = #wire);
            }
        }
        TypeKind::Alias(target) => {
            let target = ty(api, target, PATH);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
        TypeKind::Union(u) => union(api, def, u, docs),
    }
}

/// Whether a constructor must ask for the field: required, and not a constant.
fn needs_value(field: &Field) -> bool {
    matches!(
        field.presence,
        Presence::Required | Presence::RequiredNullable
    )
}

/// The Rust type of a field, decided by its presence (the serde impls read the same).
fn field_type(api: &Api, field: &Field) -> TokenStream {
    let mut inner = ty(api, field.ty.non_null(), PATH);
    if field.boxed {
        inner = quote!(Box<#inner>);
    }
    match field.presence {
        Presence::Required | Presence::Constant => inner,
        Presence::RequiredNullable | Presence::Optional => quote!(Option<#inner>),
        Presence::Tristate => quote!(crate::Maybe<#inner>),
    }
}

fn field_docs(api: &Api, field: &Field) -> TokenStream {
    let default = field.default.as_ref().map(|d| format!("Default: `{d}`."));
    let title = field
        .title
        .as_deref()
        .filter(|_| field.description.is_none());
    let fallback =
        (title.is_none() && field.description.is_none()).then(|| match field.ty.non_null() {
            Ty::Named(id) => format!("See [`{}`](super::{}).", api.ty(*id).name, api.ty(*id).name),
            _ => format!("The `{}` field.", field.wire_name),
        });
    doc_attrs(&[
        title,
        field.description.as_deref(),
        fallback.as_deref(),
        default.as_deref(),
    ])
}

fn structure(api: &Api, def: &TypeDef, s: &Struct, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let typed: Vec<ImplField> = s
        .fields
        .iter()
        .map(|field| ImplField {
            field,
            ty: field_type(api, field),
        })
        .collect();
    let fields = typed.iter().map(|ImplField { field, ty }| {
        let docs = field_docs(api, field);
        let rust = ident(&field.rust_name);
        let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
        quote! { #docs #deprecated pub #rust: #ty, }
    });
    let extra_map = s.extra.as_ref().map(|value| match value {
        Ty::Any => quote!(serde_json::Map<String, serde_json::Value>),
        other => {
            let value = ty(api, other, PATH);
            quote!(std::collections::BTreeMap<String, #value>)
        }
    });
    let extra = extra_map.as_ref().map(|map| {
        quote! {
            /// Keys the schema does not name, kept as sent.
            pub extra: #map,
        }
    });
    let serde = struct_impls(def, s, &typed, extra_map.as_ref());
    let needs_args: Vec<&Field> = s.fields.iter().filter(|f| needs_value(f)).collect();
    let default = needs_args.is_empty().then(|| quote!(Default,));
    let constructor = (!needs_args.is_empty()).then(|| constructor(api, def, s, &needs_args));
    let allow_deprecated = allow_deprecated(s);
    quote! {
        #docs
        #allow_deprecated
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
            #extra
        }
        #serde
        #constructor
    }
}

/// Deprecated fields are still the struct's own: using them in derives and impls is not a
/// warning.
pub(super) fn allow_deprecated(s: &Struct) -> Option<TokenStream> {
    s.fields
        .iter()
        .any(|f| f.deprecated)
        .then(|| quote!(#[allow(deprecated)]))
}

/// `new(required...)`: every other field starts unset.
fn constructor(api: &Api, def: &TypeDef, s: &Struct, required: &[&Field]) -> TokenStream {
    let name = ident(&def.name);
    let args = required.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let field_ty = field_type(api, f);
        if f.ty == Ty::String && !f.boxed {
            quote!(#rust: impl std::convert::Into<String>)
        } else {
            quote!(#rust: #field_ty)
        }
    });
    let inits = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        if needs_value(f) {
            if f.ty == Ty::String && !f.boxed {
                quote!(#rust: #rust.into(),)
            } else {
                quote!(#rust,)
            }
        } else {
            quote!(#rust: std::default::Default::default(),)
        }
    });
    let extra = s
        .extra
        .as_ref()
        .map(|_| quote!(extra: std::default::Default::default(),));
    let doc = format!(
        " A `{}` with the required fields set and every other field unset.",
        def.name
    );
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let allow_deprecated = allow_deprecated(s);
    quote! {
        #allow_deprecated
        impl #name {
            #[doc = #doc]
            #allow
            pub fn new(#(#args),*) -> Self {
                #name { #(#inits)* #extra }
            }
        }
    }
}

fn union(api: &Api, def: &TypeDef, u: &Union, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let mut inner = ty(api, &v.ty, PATH);
        if v.boxed {
            inner = quote!(Box<#inner>);
        }
        let doc = match (&v.tag, v.ty.non_null()) {
            (Some(tag), _) => format!(" `{tag}`"),
            (None, Ty::Named(id)) => format!(" A [`{0}`](super::{0}).", api.ty(*id).name),
            (None, _) => format!(" The `{}` form.", v.rust_name),
        };
        let doc = quote!(#[doc = #doc]);
        quote!(#doc #variant(#inner),)
    });
    let (derive_de, tagged) = match &u.discriminator {
        Some(property) => (quote!(), Some(tagged_deserialize(def, u, property))),
        None => (quote!(serde::Deserialize,), None),
    };
    let froms = conversions(api, def, u);
    // Arms are as large as their schemas; boxing the big ones would cost every decode an
    // allocation to save stack space callers rarely miss, so the size lint is waived.
    quote! {
        #docs
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq, serde::Serialize, #derive_de)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }
        #tagged
        #froms
    }
}

/// Decodes by the discriminator property, so a bad arm reports its own error.
fn tagged_deserialize(def: &TypeDef, u: &Union, property: &str) -> TokenStream {
    let name = ident(&def.name);
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let tag = v.tag.as_deref().unwrap_or_default();
        let wrap = if v.boxed { quote!(|v| #name::#variant(Box::new(v))) } else { quote!(#name::#variant) };
        quote!(Some(#tag) => serde_json::from_value(value).map(#wrap).map_err(serde::de::Error::custom),)
    });
    let expected = u
        .variants
        .iter()
        .filter_map(|v| v.tag.as_deref())
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!("unknown `{property}` {{:?}} (expected one of {expected})");
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    other => Err(serde::de::Error::custom(format!(#message, other))),
                }
            }
        }
    }
}

/// `From` each arm's type, plus borrowed-string shortcuts, so callers write `"t".into()`.
fn conversions(api: &Api, def: &TypeDef, u: &Union) -> TokenStream {
    let name = ident(&def.name);
    let mut out = TokenStream::new();
    for v in &u.variants {
        let variant = ident(&v.rust_name);
        let inner = ty(api, &v.ty, PATH);
        let value = if v.boxed {
            quote!(Box::new(value))
        } else {
            quote!(value)
        };
        out.extend(quote! {
            impl From<#inner> for #name {
                fn from(value: #inner) -> Self {
                    #name::#variant(#value)
                }
            }
        });
        let borrowed = match &v.ty {
            Ty::String => Some((quote!(&str), quote!(value.to_string()))),
            Ty::Tuple(items) if items.contains(&Ty::String) => {
                let parts: Vec<TokenStream> = items
                    .iter()
                    .map(|t| {
                        if *t == Ty::String {
                            quote!(&str)
                        } else {
                            ty(api, t, PATH)
                        }
                    })
                    .collect();
                let fields: Vec<_> = (0..items.len()).map(|i| format_ident!("v{}", i)).collect();
                let converts = items.iter().zip(&fields).map(|(t, f)| {
                    if *t == Ty::String {
                        quote!(#f.to_string())
                    } else {
                        quote!(#f)
                    }
                });
                Some((
                    quote!((#(#parts),*)),
                    quote!({ let (#(#fields),*) = value; (#(#converts),*) }),
                ))
            }
            _ => None,
        };
        if let Some((borrowed_ty, convert)) = borrowed {
            let value = if v.boxed {
                quote!(Box::new(#convert))
            } else {
                convert
            };
            out.extend(quote! {
                impl From<#borrowed_ty> for #name {
                    fn from(value: #borrowed_ty) -> Self {
                        #name::#variant(#value)
                    }
                }
            });
        }
    }
    out
}
