// Written by hand in the generator's templates/src/runtime/encoding.rs, and copied here when the client is generated. Change it there, not here.

//! Wire encoding: query strings and header values, all from `serde` so every type (dates,
//! enums, lists) is written exactly as its JSON form says.

use serde::{ser, Serialize};
use serde_json::{Map, Value};

/// How an array or object parameter is spread over the query string, as the API document
/// says for each parameter; [`Call::query_as`](crate::Call::query_as) takes one too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `a=1&a=2` when exploded, `a=1,2` otherwise.
    Form {
        /// Whether each item of a list is a parameter of its own.
        explode: bool,
    },
    /// `a=1%202`.
    SpaceDelimited,
    /// `a=1|2`.
    PipeDelimited,
    /// `a[k]=v`.
    DeepObject,
}

/// The text form of a scalar JSON value, `None` for null; a whole float is `123`, as ids are
/// (`123.0` in JSON, which servers refuse in a path or a query).
pub(crate) fn scalar(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) if n.is_f64() => n.as_f64().map(|f| f.to_string()),
        other => Some(other.to_string()),
    }
}

/// The text forms of `items`, nulls left out, joined by `separator`.
pub(crate) fn joined(items: Vec<Value>, separator: &str) -> String {
    let texts: Vec<String> = items.into_iter().filter_map(scalar).collect();
    texts.join(separator)
}

/// An object as `k,v,k,v` (the `simple` style, and `form` unexploded), null members left out.
fn flat(map: Map<String, Value>) -> String {
    let pair = |(k, v): (String, Value)| Some(format!("{k},{}", scalar(v)?));
    let pairs: Vec<String> = map.into_iter().filter_map(pair).collect();
    pairs.join(",")
}

pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Serialising generated types into a `Value` cannot fail: they have string keys only.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so `/`, `+`, `:` and
/// spaces inside an id survive the trip (`a b/c` → `a%20b%2Fc`).
pub(crate) fn percent_encode(text: &str, out: &mut String) {
    use std::fmt::Write as _;
    for byte in text.bytes() {
        if unreserved(byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// An RFC 3986 unreserved character, the only kind sent as it is.
pub(crate) fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Appends `name=value` pairs for one parameter to a query string (without the `?`); `false`
/// when the value is null and nothing was appended.
pub(crate) fn append_query(
    query: &mut String,
    name: &str,
    value: Value,
    style: QueryStyle,
) -> bool {
    let before = query.len();
    let mut pair = |key: &str, text: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        percent_encode(key, query);
        query.push('=');
        percent_encode(text, query);
    };
    match (value, style) {
        (Value::Null, _) => {}
        (Value::Array(items), QueryStyle::Form { explode: true })
        | (Value::Array(items), QueryStyle::DeepObject) => {
            for item in items.into_iter().filter_map(scalar) {
                pair(name, &item);
            }
        }
        (Value::Array(items), style) => {
            let separator = match style {
                QueryStyle::SpaceDelimited => " ",
                QueryStyle::PipeDelimited => "|",
                _ => ",",
            };
            pair(name, &joined(items, separator));
        }
        (Value::Object(map), QueryStyle::DeepObject) => {
            for (key, item) in map {
                if let Some(text) = scalar(item) {
                    pair(&format!("{name}[{key}]"), &text);
                }
            }
        }
        (Value::Object(map), QueryStyle::Form { explode: true }) => {
            for (key, item) in map {
                if let Some(text) = scalar(item) {
                    pair(&key, &text);
                }
            }
        }
        (Value::Object(map), _) => pair(name, &flat(map)),
        (other, _) => {
            if let Some(text) = scalar(other) {
                pair(name, &text);
            }
        }
    }
    query.len() > before
}

/// Appends every field of `value`, a struct, as a form-style query parameter (lists
/// repeated, `None` left out), in the struct's order; answers the names of the fields set.
pub(crate) fn append_fields<T: Serialize + ?Sized>(
    query: &mut String,
    value: &T,
) -> Result<Vec<&'static str>, NotAStruct> {
    let mut set = Vec::new();
    for_each_field(value, |key, value| {
        if append_query(query, key, value, QueryStyle::Form { explode: true }) {
            set.push(key);
        }
    })?;
    Ok(set)
}

/// Calls `each` with every field of `value`, a struct, in the struct's order (a
/// `serde_json::Map` would sort them without the `preserve_order` feature).
pub(crate) fn for_each_field<T: Serialize + ?Sized>(
    value: &T,
    mut each: impl FnMut(&'static str, Value),
) -> Result<(), NotAStruct> {
    value.serialize(&mut Fields { each: &mut each })
}

/// Walks a struct's fields in order.
struct Fields<'f> {
    each: &'f mut dyn FnMut(&'static str, Value),
}

/// What [`append_fields`] says of a value that is not a struct.
#[derive(Debug)]
pub(crate) struct NotAStruct(String);

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        NotAStruct(message.to_string())
    }
}

impl ser::SerializeStruct for &mut Fields<'_> {
    type Ok = ();
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        (self.each)(key, to_value(value));
        Ok(())
    }

    fn end(self) -> Result<(), NotAStruct> {
        Ok(())
    }
}

/// Serializer methods for what is not a struct: each fails.
macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, NotAStruct> {
            Err(NotAStruct(format!("a struct was expected ({})", stringify!($method))))
        })*
    };
}

impl<'a, 'f> ser::Serializer for &'a mut Fields<'f> {
    type Ok = ();
    type Error = NotAStruct;
    type SerializeStruct = Self;
    type SerializeSeq = ser::Impossible<(), NotAStruct>;
    type SerializeTuple = ser::Impossible<(), NotAStruct>;
    type SerializeTupleStruct = ser::Impossible<(), NotAStruct>;
    type SerializeTupleVariant = ser::Impossible<(), NotAStruct>;
    type SerializeMap = ser::Impossible<(), NotAStruct>;
    type SerializeStructVariant = ser::Impossible<(), NotAStruct>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotAStruct> {
        Ok(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotAStruct> {
        Err(NotAStruct("a struct was expected, not a variant".into()))
    }

    not_a_struct! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// A header value: scalars as text, lists and objects (`k,v,k,v`) comma-separated; null: `None`.
pub(crate) fn header_value<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    match to_value(value) {
        Value::Array(items) => Some(joined(items, ",")),
        Value::Object(map) => Some(flat(map)),
        other => scalar(other),
    }
}
