// requires-uses: typed_body
//! Error bodies of the shape the API documents for a status.

use super::error::untyped_body;
use crate::ErrorBody;

/// Decodes an error body as `T`, falling back to untyped JSON or text when it does not match.
pub(crate) fn typed_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    wrap: fn(T) -> ErrorBody,
) -> ErrorBody {
    match serde_json::from_slice::<T>(bytes) {
        Ok(body) => wrap(body),
        Err(_) => untyped_body(bytes),
    }
}
