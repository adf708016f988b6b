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

#[cfg(test)]
mod tests {
    use super::*;

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
}
