//! A field a request may leave out, set to null, or set to a value: three different things to
//! a server that treats an explicit `null` as "clear it".

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Absent (not sent), `null`, or a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Maybe<T> {
    /// Left out of the JSON body: the server keeps (or defaults) the field.
    #[default]
    Absent,
    /// Sent as `null`.
    Null,
    /// Sent as the value.
    Value(T),
}

impl<T> Maybe<T> {
    /// Whether the field is left out of the body.
    pub fn is_absent(&self) -> bool {
        matches!(self, Maybe::Absent)
    }

    /// The value, if one is set.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if one is set (`Null` and `Absent` both give `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Maybe::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Maybe<T> {
    fn from(value: T) -> Self {
        Maybe::Value(value)
    }
}

impl<T> From<Option<T>> for Maybe<T> {
    /// `None` becomes an explicit `null`.
    fn from(value: Option<T>) -> Self {
        value.map_or(Maybe::Null, Maybe::Value)
    }
}

impl From<&str> for Maybe<String> {
    fn from(value: &str) -> Self {
        Maybe::Value(value.to_string())
    }
}

impl<T, U: Into<T>, const N: usize> From<[U; N]> for Maybe<Vec<T>> {
    /// A list from anything that converts into its items: `["a", "b"]` for strings, plain
    /// values where the items may be null.
    fn from(items: [U; N]) -> Self {
        Maybe::Value(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Serialize> Serialize for Maybe<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(v) => v.serialize(serializer),
            Maybe::Absent | Maybe::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Maybe<T> {
    /// A present field is `Null` or `Value`; an absent one comes from `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}
