//! The one error type of the client: what failed, the HTTP status, and the server's body
//! (typed when the server sent the documented shape, raw text when it did not).

use std::fmt;

use crate::ErrorBody;

/// Everything a call can fail with.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status that is not a success for this operation. Boxed so
    /// that `Result<T, Error>` stays small on the happy path.
    Api(Box<ApiError>),
    /// No usable answer: connection refused or dropped, TLS, timeout, or a broken body stream.
    Transport {
        /// The operationId that failed.
        operation: &'static str,
        /// What reqwest reported.
        source: reqwest::Error,
    },
    /// The server answered with success, but the body did not decode as documented.
    Decode {
        /// The operationId that failed.
        operation: &'static str,
        /// The HTTP status of the response.
        status: u16,
        /// The body as received, for diagnosis.
        body: String,
        /// Where decoding stopped.
        source: serde_json::Error,
    },
    /// The request could not be built (a base URL that does not parse, a body that does not
    /// serialise, a login that returned no token).
    Request {
        /// The operationId (or `build`/`login`) that failed.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// A non-success answer from the server.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The operationId that failed.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The body, decoded as the spec documents for this status when it matches.
    pub body: ErrorBody,
    /// The body as received (a proxy's HTML page, say).
    pub raw: String,
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            Error::Request { .. } => None,
        }
    }

    /// The operationId of the call that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Api(e) => e.operation,
            Error::Transport { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Request { operation, .. } => operation,
        }
    }

    /// The server's error body, when it answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// Keeps messages readable when a proxy sends a whole HTML page.
fn excerpt(text: &str) -> &str {
    const LIMIT: usize = 512;
    if text.len() <= LIMIT {
        return text;
    }
    let mut end = LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => write!(
                f,
                "{}: the server answered {}: {}",
                e.operation,
                e.status,
                excerpt(&e.raw)
            ),
            Error::Transport { operation, source } => {
                write!(f, "{operation}: request failed: {source}")
            }
            Error::Decode {
                operation,
                status,
                body,
                source,
            } => {
                write!(
                    f,
                    "{operation}: could not decode the {status} response ({source}): {}",
                    excerpt(body)
                )
            }
            Error::Request { operation, message } => write!(f, "{operation}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Api(_) | Error::Request { .. } => None,
        }
    }
}

/// Decodes an error body as `T`, falling back to untyped JSON or text when it does not match.
// Documents without typed error bodies never call this.
#[allow(dead_code)]
pub(crate) fn typed_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    wrap: fn(T) -> ErrorBody,
) -> ErrorBody {
    match serde_json::from_slice::<T>(bytes) {
        Ok(body) => wrap(body),
        Err(_) => untyped_body(bytes),
    }
}

/// An error body with no documented shape: JSON if it parses, text otherwise.
pub(crate) fn untyped_body(bytes: &[u8]) -> ErrorBody {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return ErrorBody::Empty;
    }
    match serde_json::from_slice(bytes) {
        Ok(value) => ErrorBody::Json(value),
        Err(_) => ErrorBody::Text(String::from_utf8_lossy(bytes).into_owned()),
    }
}
