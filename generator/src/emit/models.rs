//! One model file per type in the arena.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, Para};
use super::setters::{self, Slot};
use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Enum, Field, Presence, Struct, Ty, TypeDef, TypeKind, Union, UnionVariant};

const PATH: ModelPath = ModelPath::Sibling;

pub fn model(api: &Api, def: &TypeDef) -> TokenStream {
    let title = def.title.as_deref();
    let title = title.filter(|t| def.description.is_none() || *t != def.name);
    // Inline schemas often have no prose; say where they come from instead.
    let origin = format!("From the schema at `{}`.", def.pointer);
    let fallback = (title.is_none() && def.description.is_none()).then_some(origin.as_str());
    let docs = doc_attrs([
        title.map(Para::Spec),
        def.description.as_deref().map(Para::Spec),
        fallback.map(Para::Ours),
    ]);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => structure(api, def, s, docs),
        TypeKind::Enum(e) => enumeration(def, e, docs),
        TypeKind::Const(value) => {
            let wire = Literal::string(value);
            let doc = format!(" Always `{}`.", value.replace('`', "'"));
            quote! {
                #docs
                #[doc = ""]
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
                pub struct #name;

                crate::runtime::string_const::string_const!(#name = #wire);
            }
        }
        TypeKind::Alias(target) => {
            let target = ty(api, target, PATH);
            quote!(#docs pub type #name = #target;)
        }
        TypeKind::Union(u) => union(api, def, u, docs),
    }
}

/// A string enum keeps a value it does not know in `Unknown`; an integer enum is a newtype,
/// so any integer reads (a newer server may send more), with the known values as constants.
fn enumeration(def: &TypeDef, e: &Enum, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let doc = |wire: &String| match wire.replace('`', "'").as_str() {
        "" => " The empty string.".to_string(),
        wire => format!(" `{wire}`"),
    };
    let variant_docs: Vec<String> = e.variants.iter().map(|v| doc(&v.wire)).collect();
    let known = quote! {
        /// Every value this client knows.
        pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];
    };
    if e.integer {
        let values = e.variants.iter();
        let values = values.map(|v| Literal::i64_unsuffixed(v.wire.parse().unwrap_or_default()));
        return quote! {
            use serde::{Deserialize, Serialize};

            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
            #[serde(transparent)]
            pub struct #name(pub i64);

            impl #name {
                #(#[doc = #variant_docs] pub const #variants: #name = #name(#values);)*
                #known
            }
        };
    }
    let wires = e.variants.iter().map(|v| &v.wire);
    // A request-only enum (a header, say) never hears from a server.
    let unknown_doc = match def.usage.response {
        true => " A value this client does not know (sent by a newer server).",
        false => " Any other value, sent as written.",
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            #[doc = #unknown_doc]
            Unknown(String),
        }

        impl #name {
            #known

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#name::#variants => #wires,)*
                    #name::Unknown(other) => other,
                }
            }
        }

        crate::runtime::open_enum::open_enum!(#name);
    }
}

/// The Rust type of a field, decided by its presence.
fn field_type(api: &Api, field: &Field) -> TokenStream {
    let t = ty(api, field.ty.non_null(), PATH);
    let t = if field.boxed { quote!(Box<#t>) } else { t };
    match field.presence {
        Presence::Required | Presence::Constant => t,
        Presence::RequiredNullable | Presence::Optional => quote!(Option<#t>),
        Presence::Tristate => quote!(crate::Maybe<#t>),
    }
}

/// The field's `#[serde(...)]`: its wire name when the Rust name differs, and how a missing
/// key reads and an unset value is written, by presence.
fn field_serde(field: &Field) -> Option<TokenStream> {
    let mut parts = Vec::new();
    if field.rust_name != field.wire_name {
        let wire = Literal::string(&field.wire_name);
        parts.push(quote!(rename = #wire));
    }
    match field.presence {
        // A missing key reads as null, as servers that leave nulls out send it.
        Presence::Required | Presence::RequiredNullable => {}
        Presence::Optional => parts.push(quote!(skip_serializing_if = "Option::is_none")),
        Presence::Tristate => parts.push(quote!(
            default,
            skip_serializing_if = "crate::Maybe::is_absent"
        )),
        Presence::Constant if field.required => {}
        Presence::Constant => parts.push(quote!(default)),
    }
    (!parts.is_empty()).then(|| quote!(#[serde(#(#parts),*)]))
}

/// `sent`: the type is (part of) a request body, which an older server may refuse a newer field of.
fn field_docs(api: &Api, field: &Field, sent: bool) -> TokenStream {
    let default = field.default.as_ref().map(|d| format!("Default: `{d}`."));
    let older = match sent {
        true => "Set, it fails the call unsent on an older server with [`Error::UnsupportedParameter`](crate::Error::UnsupportedParameter).",
        false => "`None` from older servers.",
    };
    let since =
        super::docs::since(api, field.since.as_deref()).map(|since| format!("{since} {older}"));
    let relaxed = (field.relaxed && field.since.is_none()).then_some(
        "Required by the newest release; `None` from an older server that does not send it.",
    );
    // A title that only spells the field's name ("Task Id") says nothing.
    let title = field.title.as_deref();
    let title = title.filter(|t| field.description.is_none() && !names(t, &field.wire_name));
    doc_attrs([
        title.map(Para::Spec),
        field.description.as_deref().map(Para::Spec),
        default.as_deref().map(Para::Ours),
        since.as_deref().map(Para::Ours),
        relaxed.map(Para::Ours),
    ])
}

/// Whether `title` is only `name` spelt as words (`Task Id` for `task_id`).
fn names(title: &str, name: &str) -> bool {
    let letters = |text: &str| -> String {
        let kept = text.chars().filter(|c| c.is_alphanumeric());
        kept.flat_map(char::to_lowercase).collect()
    };
    letters(title) == letters(name)
}

fn structure(api: &Api, def: &TypeDef, s: &Struct, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let sent = def.usage.request;
    let each_docs: Vec<TokenStream> = s.fields.iter().map(|f| field_docs(api, f, sent)).collect();
    let fields = s.fields.iter().zip(&each_docs).map(|(field, docs)| {
        let serde = field_serde(field);
        let rust = ident(&field.rust_name);
        let ty = field_type(api, field);
        let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
        quote! { #docs #deprecated #serde pub #rust: #ty, }
    });
    let extra = s.extra.as_ref().map(|value| {
        let map = match value {
            Ty::Any => ty(api, &Ty::AnyObject, PATH),
            other => ty(api, &Ty::Map(Box::new(other.clone())), PATH),
        };
        quote! {
            /// Keys the schema does not name, kept as sent.
            #[serde(flatten)]
            pub extra: #map,
        }
    });
    let required: Vec<&Field> = s.fields.iter().filter(|f| asked(def, f)).collect();
    let default = required.is_empty().then(|| quote!(Default,));
    // Clients build what they send with a constructor and setters, and fixtures of what they
    // receive the same way, so a field a newer document adds breaks no caller.
    let constructor = constructor(api, def, s, &required);
    let names = setters::setter_names(&Vec::from_iter(s.fields.iter().map(|f| &*f.rust_name)));
    let unasked = s.fields.iter().zip(&names).filter(|(f, _)| !asked(def, f));
    let setters = Vec::from_iter(unasked.filter_map(|(f, names)| {
        let slot = match f.presence {
            Presence::Optional | Presence::RequiredNullable => Slot::Some,
            Presence::Tristate => Slot::Value,
            Presence::Required => Slot::Plain,
            // A constant field holds its one value from the start.
            Presence::Constant => return None,
        };
        let (field, t) = ((&*f.rust_name, names), f.ty.non_null());
        Some(setters::setter(api, field, t, slot, f.boxed, PATH))
    }));
    let import_setter =
        (!setters.is_empty()).then(|| quote! { use crate::runtime::setters::setter; });
    // Deprecated fields are still the struct's own: their use in derives and impls is no warning.
    let deprecated = s.fields.iter().any(|f| f.deprecated);
    let allow_deprecated = deprecated.then(|| quote!(#[allow(deprecated)]));
    // A field the document says nothing of but its name gets no docs.
    let allow_missing = each_docs.iter().any(TokenStream::is_empty).then(
        || quote!(#[allow(missing_docs, reason = "a field without docs is what its name says")]),
    );
    quote! {
        #import_setter
        use serde::{Deserialize, Serialize};

        #docs
        #allow_deprecated
        #allow_missing
        #[derive(Debug, Clone, PartialEq, #default Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        #allow_deprecated
        impl #name {
            #constructor
            #(#setters)*
        }
    }
}

/// Whether `new` asks for the field: what a request needs, and of a type only received,
/// what has no `Default` (a named type), the rest starting out empty.
pub fn asked(def: &TypeDef, f: &Field) -> bool {
    match f.presence {
        Presence::RequiredNullable => def.usage.request,
        Presence::Required => def.usage.request || f.boxed || matches!(f.ty, Ty::Named(_)),
        _ => false,
    }
}

/// `new(required...)` when some fields are required (every other field starts unset).
fn constructor(api: &Api, def: &TypeDef, s: &Struct, required: &[&Field]) -> Option<TokenStream> {
    if required.is_empty() {
        return None;
    }
    let args = required.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let (arg, _) = setters::arg(api, &f.ty, PATH, &rust);
        quote!(#rust: #arg)
    });
    let inits = s.fields.iter().map(|f| {
        let rust = ident(&f.rust_name);
        let (_, value) = setters::arg(api, &f.ty, PATH, &rust);
        match (asked(def, f), f.boxed) {
            (false, _) => quote!(#rust: Default::default(),),
            (true, true) => quote!(#rust: Box::new(#value),),
            _ if rust == value.to_string() => quote!(#rust,),
            _ => quote!(#rust: #value,),
        }
    });
    let extra = s.extra.as_ref().map(|_| quote!(extra: Default::default(),));
    let doc = format!(
        " A `{}` with the required fields set and every other field unset.",
        def.name
    );
    // A value for each required field is what the schema asks; a wider rule (a builder
    // that fails at run time) would trade a lint for errors callers meet later.
    let allow_many = (required.len() > 7).then(
        || quote!(#[allow(clippy::too_many_arguments, reason = "one argument per required field")]),
    );
    let name = ident(&def.name);
    Some(quote! {
        #[doc = #doc]
        #allow_many
        pub fn new(#(#args),*) -> Self {
            #name { #(#inits)* #extra }
        }
    })
}

fn union(api: &Api, def: &TypeDef, u: &Union, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let inner = ty(api, &v.ty, PATH);
        let inner = if v.boxed { quote!(Box<#inner>) } else { inner };
        let doc = match (&v.tag, v.ty.non_null()) {
            (Some(tag), _) => format!(" `{tag}`"),
            (None, Ty::Named(id)) => format!(" A [`{0}`](super::{0}).", api.ty(*id).name),
            (None, _) => format!(" The `{}` form.", v.rust_name),
        };
        quote!(#[doc = #doc] #variant(#inner),)
    });
    // A server newer than the client may send a tag it does not know: kept, not refused.
    let open = u.discriminator.is_some() && def.usage.response;
    let unknown_doc = " A tag this client does not know, kept as sent.";
    let unknown = open.then(|| quote!(#[doc = #unknown_doc] Unknown(serde_json::Value),));
    let property = u.discriminator.as_deref();
    let tagged = property.map(|p| tagged_deserialize(def, u, p, open));
    let tag_written = property.and_then(|p| tagged_serialize(api, def, u, p));
    let derive_de = tagged.is_none().then(|| quote!(Deserialize,));
    let derive_ser = tag_written.is_none().then(|| quote!(Serialize,));
    let untagged = tag_written.is_none().then(|| quote!(#[serde(untagged)]));
    let froms = conversions(api, def, u);
    // Arms are as large as their schemas; boxing the big ones would cost every decode an
    // allocation to save stack space callers rarely miss, so the size lint is waived.
    quote! {
        use serde::{Deserialize, Serialize};

        #docs
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq, #derive_ser #derive_de)]
        #untagged
        pub enum #name {
            #(#variants)*
            #unknown
        }
        #tagged
        #tag_written
        #froms
    }
}

/// Decodes by the discriminator property, so a bad arm reports its own error.
fn tagged_deserialize(def: &TypeDef, u: &Union, property: &str, open: bool) -> TokenStream {
    let name = ident(&def.name);
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let (tag, also) = (v.tag.as_deref().unwrap_or_default(), &v.also);
        let wrap = if v.boxed { quote!(|v| #name::#variant(Box::new(v))) } else { quote!(#name::#variant) };
        quote!(Some(#tag) #(| Some(#also))* => serde_json::from_value(value).map(#wrap).map_err(serde::de::Error::custom),)
    });
    let tags: Vec<&str> = u.variants.iter().filter_map(|v| v.tag.as_deref()).collect();
    let expected = tags.join(", ");
    let message = format!("unknown `{property}` {{:?}} (expected one of {expected})");
    let other = match open {
        true => quote!(_ => Ok(#name::Unknown(value)),),
        false => quote!(other => Err(serde::de::Error::custom(format!(#message, other))),),
    };
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    #other
                }
            }
        }
    }
}

/// Writes the discriminator into a request body whose arm may leave it out (Authentik's
/// `component`: an optional field with a default) or hold another (Ory's `method`, a plain
/// string): the variant says which arm it is.
fn tagged_serialize(api: &Api, def: &TypeDef, u: &Union, property: &str) -> Option<TokenStream> {
    let constant = |f: &Field| f.wire_name == property && f.presence == Presence::Constant;
    let always = |v: &UnionVariant| {
        let arm = unaliased(api, &v.ty).named_struct(&api.types);
        arm.is_none_or(|s| s.fields.iter().any(constant))
    };
    if !def.usage.request || u.variants.iter().all(always) {
        return None;
    }
    let name = ident(&def.name);
    let arms = u.variants.iter().map(|v| {
        let (variant, tag) = (ident(&v.rust_name), v.tag.as_deref().unwrap_or_default());
        quote!(#name::#variant(arm) => (#tag, serde_json::to_value(arm)),)
    });
    let unknown = quote!(#name::Unknown(value) => return value.serialize(serializer),);
    let unknown = def.usage.response.then_some(unknown);
    // An arm whose own enum holds several tags keeps the one it holds.
    let write = match u.variants.iter().any(|v| !v.also.is_empty()) {
        true => quote!(object.entry(#property).or_insert_with(|| tag.into());),
        false => quote!(object.insert(#property.into(), tag.into());),
    };
    Some(quote! {
        impl Serialize for #name {
            fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                let (tag, value) = match self {
                    #(#arms)*
                    #unknown
                };
                let mut value = value.map_err(serde::ser::Error::custom)?;
                if let Some(object) = value.as_object_mut() {
                    #write
                }
                value.serialize(serializer)
            }
        }
    })
}

/// `From` each arm's type, plus borrowed-string shortcuts, so callers write `"t".into()`.
fn conversions(api: &Api, def: &TypeDef, u: &Union) -> TokenStream {
    let name = ident(&def.name);
    let mut out = TokenStream::new();
    let mut seen = BTreeSet::new();
    // Of arms that are one Rust type (two aliases of `String`, say), the first converts.
    let first = |v: &&UnionVariant| seen.insert(ty(api, unaliased(api, &v.ty), PATH).to_string());
    for v in u.variants.iter().filter(first) {
        let variant = ident(&v.rust_name);
        let from_arm = (ty(api, &v.ty, PATH), quote!(value));
        for (source, arg) in std::iter::once(from_arm).chain(borrowed(api, &v.ty)) {
            let arg = if v.boxed { quote!(Box::new(#arg)) } else { arg };
            out.extend(quote! {
                impl From<#source> for #name {
                    fn from(value: #source) -> Self {
                        #name::#variant(#arg)
                    }
                }
            });
        }
    }
    out
}

/// The type an alias stands for, through any chain of aliases.
pub fn unaliased<'a>(api: &'a Api, t: &'a Ty) -> &'a Ty {
    match t.named_kind(&api.types) {
        Some(TypeKind::Alias(target)) => unaliased(api, target),
        _ => t,
    }
}

/// The borrowed form of a type with text in it (`&str` for `String`, in a tuple too), and how
/// `value` of that form becomes the type.
fn borrowed(api: &Api, t: &Ty) -> Option<(TokenStream, TokenStream)> {
    match t {
        Ty::String => Some((quote!(&str), quote!(value.to_string()))),
        Ty::Tuple(items) if items.contains(&Ty::String) => {
            let fields: Vec<_> = (0..items.len()).map(|i| format_ident!("v{}", i)).collect();
            let part = |(t, f): (&Ty, &Ident)| match t {
                Ty::String => (quote!(&str), quote!(#f.to_string())),
                other => (ty(api, other, PATH), quote!(#f)),
            };
            let (parts, converts): (Vec<_>, Vec<_>) = items.iter().zip(&fields).map(part).unzip();
            Some((
                quote!((#(#parts),*)),
                quote!({ let (#(#fields),*) = value; (#(#converts),*) }),
            ))
        }
        _ => None,
    }
}
