// requires-uses: path_segment
//! Path parameters: each value one percent-encoded segment.

use serde::Serialize;
use serde_json::Value;

use super::encoding::{percent_encode, scalar, to_value};

/// One path segment from its JSON form (a list joined with commas), percent-encoded so `/`,
/// `+`, `:` and spaces inside an id survive the trip (`a b/c` → `a%20b%2Fc`).
pub(crate) fn path_segment<T: Serialize + ?Sized>(value: &T) -> String {
    let text = match to_value(value) {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar)
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(&other).unwrap_or_default(),
    };
    let mut out = String::with_capacity(text.len());
    percent_encode(&text, &mut out);
    out
}
