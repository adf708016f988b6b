// requires-uses: open_enum
//! The open string enums of the models: a value the client does not know is kept, not an error.

/// The trait impls of a string enum that also carries values it does not know, so a newer
/// server's value (a new task state, say) decodes as `Unknown` instead of failing the whole
/// response. The enum itself, with `KNOWN` and `as_str`, is written out by the generator.
macro_rules! open_enum {
    ($name:ident) => {
        impl $name {
            /// The variant for a known wire value.
            pub fn known(value: &str) -> Option<Self> {
                $name::KNOWN.iter().find(|v| v.as_str() == value).cloned()
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::known(value).unwrap_or_else(|| $name::Unknown(value.to_string()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                $name::known(&value).unwrap_or($name::Unknown(value))
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            /// The wire value, for parameters the spec types as plain strings.
            fn from(value: $name) -> Self {
                match value {
                    $name::Unknown(other) => other,
                    known => known.as_str().to_string(),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(value.into())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::std::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::std::result::Result<Self, __D::Error> {
                struct __Visitor;
                impl ::serde::de::Visitor<'_> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<__E: ::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::std::result::Result<$name, __E> {
                        Ok(value.into())
                    }
                    fn visit_string<__E: ::serde::de::Error>(
                        self,
                        value: ::std::string::String,
                    ) -> ::std::result::Result<$name, __E> {
                        Ok(value.into())
                    }
                }
                deserializer.deserialize_str(__Visitor)
            }
        }
    };
}

pub(crate) use open_enum;
