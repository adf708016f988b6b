//! Wire encoding: path segments, query strings and header values, all from `serde` so every
//! type (dates, enums, lists) is written exactly as its JSON form says.

use serde::Serialize;
use serde_json::Value;

/// How an array or object parameter is spread over the query string.
// Not every document uses every style, so some variants go unused in a given crate.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// `a=1&a=2` when exploded, `a=1,2` otherwise.
    Form { explode: bool },
    /// `a=1%202`.
    SpaceDelimited,
    /// `a=1|2`.
    PipeDelimited,
    /// `a[k]=v`.
    DeepObject,
}

/// The text form of a scalar JSON value; `None` for null.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Serialising generated types into a `Value` cannot fail: they have string keys only.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so `/`, `+`, `:` and
/// spaces inside an id survive the trip (`a b/c` → `a%20b%2Fc`).
pub fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 15) as usize] as char);
        }
    }
}

/// A text path segment, percent-encoded.
// Documents without text path parameters never call this.
#[allow(dead_code)]
pub fn path_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    percent_encode(text, &mut out);
    out
}

/// One path segment, percent-encoded.
// Documents without path parameters never call this.
#[allow(dead_code)]
pub fn path_segment<T: Serialize + ?Sized>(value: &T) -> String {
    let text = match to_value(value) {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar)
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(&other).unwrap_or_default(),
    };
    path_text(&text)
}

/// Appends `name=value` pairs for one parameter to a query string (without the `?`).
pub fn append_query<T: Serialize + ?Sized>(
    query: &mut String,
    name: &str,
    value: &T,
    style: QueryStyle,
) {
    let mut pair = |key: &str, text: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        percent_encode(key, query);
        query.push('=');
        percent_encode(text, query);
    };
    match (to_value(value), style) {
        (Value::Null, _) => {}
        (Value::Array(items), QueryStyle::Form { explode: true })
        | (Value::Array(items), QueryStyle::DeepObject) => {
            for item in items.iter().filter_map(scalar) {
                pair(name, &item);
            }
        }
        (Value::Array(items), style) => {
            let separator = match style {
                QueryStyle::SpaceDelimited => " ",
                QueryStyle::PipeDelimited => "|",
                _ => ",",
            };
            pair(
                name,
                &items
                    .iter()
                    .filter_map(scalar)
                    .collect::<Vec<_>>()
                    .join(separator),
            );
        }
        (Value::Object(map), QueryStyle::DeepObject) => {
            for (key, item) in &map {
                if let Some(text) = scalar(item) {
                    pair(&format!("{name}[{key}]"), &text);
                }
            }
        }
        (Value::Object(map), QueryStyle::Form { explode: true }) => {
            for (key, item) in &map {
                if let Some(text) = scalar(item) {
                    pair(key, &text);
                }
            }
        }
        (Value::Object(map), _) => {
            let flat: Vec<String> = map
                .iter()
                .filter_map(|(k, v)| scalar(v).map(|v| format!("{k},{v}")))
                .collect();
            pair(name, &flat.join(","));
        }
        (other, _) => {
            if let Some(text) = scalar(&other) {
                pair(name, &text);
            }
        }
    }
}

/// A header value: scalars as text, lists comma-separated; `None` for null.
pub fn header_value<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    match to_value(value) {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(scalar)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => scalar(&other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn path_segments_keep_reserved_characters() {
        assert_eq!(
            path_segment("manual__2024-01-01T00:00:00+00:00"),
            "manual__2024-01-01T00%3A00%3A00%2B00%3A00"
        );
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(path_segment(&-1i64), "-1");
        assert_eq!(path_segment("ünï"), "%C3%BCn%C3%AF");
    }

    #[test]
    fn query_dates_are_rfc3339() {
        let mut q = String::new();
        let when = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        append_query(
            &mut q,
            "start_date_gte",
            &when,
            QueryStyle::Form { explode: true },
        );
        assert_eq!(q, "start_date_gte=2024-01-01T00%3A00%3A00Z");
    }

    #[test]
    fn query_arrays_repeat_keys_and_nulls_vanish() {
        let mut q = String::new();
        append_query(
            &mut q,
            "state",
            &["success", "up for retry"],
            QueryStyle::Form { explode: true },
        );
        append_query(
            &mut q,
            "x",
            &Option::<i64>::None,
            QueryStyle::Form { explode: true },
        );
        append_query(&mut q, "ids", &[1, 2], QueryStyle::Form { explode: false });
        append_query(&mut q, "p", &[1, 2], QueryStyle::PipeDelimited);
        assert_eq!(q, "state=success&state=up%20for%20retry&ids=1%2C2&p=1%7C2");
    }

    #[test]
    fn deep_objects_and_headers() {
        let mut q = String::new();
        append_query(
            &mut q,
            "f",
            &serde_json::json!({"a": 1, "b": "x"}),
            QueryStyle::DeepObject,
        );
        assert_eq!(q, "f%5Ba%5D=1&f%5Bb%5D=x");
        assert_eq!(
            header_value("application/x-ndjson").as_deref(),
            Some("application/x-ndjson")
        );
        assert_eq!(header_value(&["a", "b"]).as_deref(), Some("a,b"));
        assert_eq!(header_value(&Option::<String>::None), None);
    }
}
