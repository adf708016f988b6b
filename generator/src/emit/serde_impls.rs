//! `Serialize` and `Deserialize` for struct models, written out field by field.
//!
//! serde's derive writes, per struct, a field enum with its own visitor, a sequence visitor
//! and a wrapper type per `deserialize_with` field. JSON needs none of it, and it was most of
//! the emitted crate's build time (BENCHMARKS.md). These impls read a map in one loop with
//! the helpers of the crate's `fields` module and keep the derive's behaviour: unknown keys
//! are skipped (or kept in `extra`), duplicate and missing keys are errors naming the key.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ty::ident;
use crate::ir::{Field, Presence, Struct, TypeDef};

/// A struct field and its Rust type as the struct declares it.
pub struct ImplField<'a> {
    pub field: &'a Field,
    pub ty: TokenStream,
}

/// Both impls for the struct `def` whose fields have the given Rust types, and `extra` the
/// type of the map of unnamed keys, when the schema keeps them.
pub fn struct_impls(
    def: &TypeDef,
    s: &Struct,
    fields: &[ImplField<'_>],
    extra: Option<&TokenStream>,
) -> TokenStream {
    let serialize = serialize(def, fields, extra.is_some());
    let deserialize = deserialize(def, fields, extra);
    let allow = super::models::allow_deprecated(s);
    quote! {
        #allow
        #serialize
        #allow
        #deserialize
    }
}

fn serialize(def: &TypeDef, fields: &[ImplField<'_>], extra: bool) -> TokenStream {
    let name = ident(&def.name);
    let entries = fields.iter().map(|f| {
        let rust = ident(&f.field.rust_name);
        let wire = Literal::string(&f.field.wire_name);
        match f.field.presence {
            Presence::Optional => quote! {
                if let Some(value) = &self.#rust {
                    map.entry(#wire, value);
                }
            },
            Presence::Tristate => quote! {
                if !self.#rust.is_absent() {
                    map.entry(#wire, &self.#rust);
                }
            },
            Presence::Required | Presence::RequiredNullable | Presence::Constant => {
                quote!(map.entry(#wire, &self.#rust);)
            }
        }
    });
    let extra = extra.then(|| {
        quote! {
            for (key, value) in &self.extra {
                map.entry(key, value);
            }
        }
    });
    quote! {
        impl serde::Serialize for #name {
            fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                let mut map = crate::fields::Entries::new(serializer.serialize_map(None)?);
                #(#entries)*
                #extra
                map.end()
            }
        }
    }
}

fn deserialize(
    def: &TypeDef,
    fields: &[ImplField<'_>],
    extra: Option<&TokenStream>,
) -> TokenStream {
    let name = ident(&def.name);
    let expecting = format!("struct {}", def.name);
    // One struct of slots rather than a local per field: every early return then drops one
    // value, where separate locals would need drop flags per field at each `?`. The impl's
    // own names start with `__`, which no model, field or type name does.
    let slot_names: Vec<_> = fields.iter().map(|f| ident(&f.field.rust_name)).collect();
    let slot_types = fields.iter().map(|f| &f.ty);
    let arms = fields.iter().map(|f| {
        let rust = ident(&f.field.rust_name);
        let wire = Literal::string(&f.field.wire_name);
        quote!(#wire => crate::fields::read(&mut __map, &mut __slots.#rust, #wire),)
    });
    let inits = fields.iter().map(|f| {
        let rust = ident(&f.field.rust_name);
        if must_be_sent(f.field) {
            quote!(#rust,)
        } else {
            quote!(#rust: __slots.#rust.unwrap_or_default(),)
        }
    });
    // `let ... else` rather than `?`: a plain return needs no trait solving.
    let required = fields.iter().filter(|f| must_be_sent(f.field)).map(|f| {
        let rust = ident(&f.field.rust_name);
        let wire = Literal::string(&f.field.wire_name);
        quote! {
            let Some(#rust) = __slots.#rust else {
                return Err(serde::de::Error::missing_field(#wire));
            };
        }
    });
    let (extra_slot, unknown, extra_init) = match extra {
        Some(map) => (
            quote!(let mut __extra = <#map>::default();),
            quote!(_ => __map.next_value().map(|value| {
                __extra.insert(__key.0.into_owned(), value);
            }),),
            quote!(extra: __extra,),
        ),
        None => (
            quote!(),
            quote!(_ => crate::fields::skip(&mut __map),),
            quote!(),
        ),
    };
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                struct __Visitor;
                impl<'de> serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<__A: serde::de::MapAccess<'de>>(self, mut __map: __A) -> Result<#name, __A::Error> {
                        struct __Slots { #(#slot_names: Option<#slot_types>,)* }
                        let mut __slots = __Slots { #(#slot_names: None,)* };
                        #extra_slot
                        while let Some(__key) = __map.next_key::<crate::fields::Key<'de>>()? {
                            // One `?` for all arms: each is another trait obligation to solve.
                            let read = match &*__key.0 {
                                #(#arms)*
                                #unknown
                            };
                            read?;
                        }
                        #(#required)*
                        Ok(#name { #(#inits)* #extra_init })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}

/// Whether a missing key is an error rather than a default: required keys, including those
/// that may be null (decoding fails instead of guessing).
fn must_be_sent(field: &Field) -> bool {
    match field.presence {
        Presence::Required | Presence::RequiredNullable => true,
        Presence::Constant => field.required,
        Presence::Optional | Presence::Tristate => false,
    }
}
