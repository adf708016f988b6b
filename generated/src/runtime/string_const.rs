// Written by hand in the generator's templates/src/runtime/string_const.rs, and copied here when the client is generated. Change it there, not here.

//! Constant fields of the models: one string, which tells union arms apart.

/// The trait impls of a field that can only hold one string (`const` in the schema). It needs
/// no value from the caller, and decoding fails on any other string, which is what tells
/// union arms apart. The unit struct itself is written out by the generator.
macro_rules! string_const {
    ($name:ident = $value:literal) => {
        impl $name {
            /// The one value on the wire.
            pub const VALUE: &'static str = $value;
        }

        impl ::serde::Serialize for $name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                if value == $value {
                    Ok($name)
                } else {
                    Err(<__D::Error as ::serde::de::Error>::invalid_value(
                        ::serde::de::Unexpected::Str(&value),
                        &concat!("\"", $value, "\""),
                    ))
                }
            }
        }
    };
}

pub(crate) use string_const;
