// requires-uses: path_segment
//! Path parameters: each value one percent-encoded segment.

use serde::Serialize;
use serde_json::Value;

use super::encoding::{joined, percent_encode, scalar, to_value, unreserved};

/// One path segment from its JSON form (a list joined with commas), percent-encoded so `/`,
/// `+`, `:` and spaces inside an id survive the trip (`a b/c` → `a%20b%2Fc`).
pub(crate) fn path_segment<T: Serialize + ?Sized>(value: &T) -> String {
    let text = match to_value(value) {
        Value::Array(items) => joined(items, ","),
        other => scalar(other).unwrap_or_default(),
    };
    // Most ids need no escape at all, so the text is the segment itself.
    if text.bytes().all(unreserved) {
        return text;
    }
    let mut out = String::with_capacity(text.len() * 3);
    percent_encode(&text, &mut out);
    out
}
