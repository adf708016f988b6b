// requires-uses: typed
//! The call of an operation whose answer is JSON of one type: most of them.

use super::pending::Pending;
use super::request::{ErrorDecoder, Request, Response};

impl<T: serde::de::DeserializeOwned + 'static> Pending<T> {
    /// A call whose successful answer is JSON, decoded as `T`.
    pub(crate) fn typed(request: Request, errors: ErrorDecoder) -> Self {
        Pending::new(request, errors, Response::json)
    }
}
