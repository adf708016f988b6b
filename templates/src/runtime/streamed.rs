// requires-uses: streamed
//! The call of an operation whose answer may be an NDJSON body, handed on as it arrives.

use super::pending::Pending;
use super::request::{ErrorDecoder, Request, Response};
use crate::Error;

impl<T> Pending<T> {
    /// A call whose successful answer may be an NDJSON body, handed to `decode` as it starts
    /// to arrive.
    pub(crate) fn streamed(
        request: Request,
        errors: ErrorDecoder,
        decode: impl FnOnce(Response) -> Result<T, Error> + Send + 'static,
    ) -> Self {
        Pending {
            streamed: true,
            ..Pending::new(request, errors, decode)
        }
    }
}
