// Written by hand in the generator's templates/src/runtime/error.rs, and copied here when the client is generated. Change it there, not here.

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
    /// No answer: the connection was refused or dropped before the server answered, TLS
    /// failed, or an attempt timed out; after every attempt the retry policy allowed.
    #[non_exhaustive]
    Transport {
        /// The operationId that failed.
        operation: &'static str,
        /// The attempts made, the first included.
        attempts: u32,
        /// What reqwest reported of the last one.
        source: reqwest::Error,
    },
    /// The server began to answer, but the body did not arrive whole (the connection closed
    /// or timed out before its end), after every attempt the retry policy allowed.
    #[non_exhaustive]
    Incomplete {
        /// The operationId that failed.
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// Bytes of the body that arrived on the last attempt.
        received: u64,
        /// The body's length as announced (`Content-Length`), when it was.
        expected: Option<u64>,
        /// For a body read line by line (an NDJSON log): the lines read before the cut.
        lines: Option<u64>,
        /// The attempts made, the first included.
        attempts: u32,
        /// What reqwest reported.
        source: reqwest::Error,
    },
    /// The call's deadline ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline))
    /// passed before an answer came, retries and their waits included.
    #[non_exhaustive]
    Deadline {
        /// The operationId that failed.
        operation: &'static str,
        /// The deadline that passed.
        deadline: std::time::Duration,
        /// The attempts begun, the first included.
        attempts: u32,
    },
    /// The server answered with success, but the body did not decode as documented.
    Decode {
        /// The operationId that failed.
        operation: &'static str,
        /// The HTTP status of the response.
        status: u16,
        /// The body as received, for diagnosis.
        body: String,
        /// The field where decoding stopped (`task_instances[3].state`); empty for the body
        /// as a whole.
        path: String,
        /// What was wrong there.
        source: serde_json::Error,
    },
    /// The server is older than the operation: it answered 404 or 405, and its version is
    /// older than the release that added the operation.
    Unsupported {
        /// The operationId that failed.
        operation: &'static str,
        /// The release that added the operation.
        since: &'static str,
        /// The server's version, as it reported it.
        server: String,
        /// The HTTP status it answered with.
        status: u16,
    },
    /// A parameter the call sets is newer than the server, which would ignore it and answer
    /// as if it were not set (a filter would match everything): nothing was sent.
    UnsupportedParameter {
        /// The operationId that failed.
        operation: &'static str,
        /// The parameter's name on the wire; for a field of the body, `body.` and its path
        /// (`body.actions[].update_mask`).
        parameter: &'static str,
        /// The release that added the parameter.
        since: &'static str,
        /// The server's version, as it reported it.
        server: String,
    },
    /// The request could not be built (a base URL that does not parse, a body that does not
    /// serialise, a login where the document declares no token endpoint).
    Request {
        /// The operationId (or `build`/`login`) that failed.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// A non-success answer from the server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The operationId that failed.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The response headers (`Retry-After`, a request id to quote to the server's admins).
    pub headers: reqwest::header::HeaderMap,
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
            Error::Decode { status, .. }
            | Error::Unsupported { status, .. }
            | Error::Incomplete { status, .. } => Some(*status),
            Error::Transport { .. }
            | Error::Deadline { .. }
            | Error::UnsupportedParameter { .. }
            | Error::Request { .. } => None,
        }
    }

    /// The operationId of the call that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Api(e) => e.operation,
            Error::Transport { operation, .. }
            | Error::Incomplete { operation, .. }
            | Error::Deadline { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Unsupported { operation, .. }
            | Error::UnsupportedParameter { operation, .. }
            | Error::Request { operation, .. } => operation,
        }
    }

    /// Whether trying the call again later may succeed: the network failed (no answer, or
    /// a body cut short), the deadline passed, or the server answered 408, 429, 502, 503 or
    /// 504. The client has already retried these as its policy allows.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Incomplete { .. } | Error::Deadline { .. } => true,
            Error::Api(e) => super::retry::is_retryable_status(e.status),
            _ => false,
        }
    }

    /// The server's error body, when it answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// What the server said went wrong, when it answered with an error status.
    pub fn detail(&self) -> Option<Detail> {
        self.api().map(ApiError::detail)
    }
}

impl ApiError {
    /// What the server said went wrong: the body's `detail` (the shape every error of the
    /// API takes) as a message or a list of validation problems, whatever type the body
    /// decoded as; the body as text when it has no `detail`.
    pub fn detail(&self) -> Detail {
        let Ok(body) = serde_json::from_str::<serde_json::Value>(&self.raw) else {
            return Detail::Body(excerpt(&self.raw).to_string());
        };
        match body.get("detail") {
            Some(serde_json::Value::String(message)) => Detail::Message(message.clone()),
            // An empty list names no problem; shown as it came, it is not an empty message.
            Some(serde_json::Value::Array(items))
                if !items.is_empty() && items.iter().all(|i| i.get("msg").is_some()) =>
            {
                Detail::Invalid(items.iter().map(Problem::from_json).collect())
            }
            Some(other) => Detail::Other(other.clone()),
            None => Detail::Body(excerpt(&self.raw).to_string()),
        }
    }
}

/// What the server said went wrong ([`ApiError::detail`]). `Display` prints it as one line.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Detail {
    /// A sentence: `{"detail": "Task Instance not found"}`.
    Message(String),
    /// The request did not validate: each problem and where it is.
    Invalid(Vec<Problem>),
    /// A `detail` of another shape: an object of the server's own fields, a list of strings.
    Other(serde_json::Value),
    /// No `detail`: the body as text (a proxy's HTML page, say; empty when there was none).
    Body(String),
}

/// One problem with a request that did not validate.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where it is: `["body", "note"]`, `["query", "limit"]`; list positions as numbers.
    pub location: Vec<String>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn from_json(item: &serde_json::Value) -> Problem {
        let location = item
            .get("loc")
            .and_then(serde_json::Value::as_array)
            .map(|parts| {
                parts
                    .iter()
                    .map(|p| match p {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let message = item
            .get("msg")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        Problem { location, message }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.location.join("."), self.message)
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Message(message) => f.write_str(message),
            Detail::Invalid(problems) => {
                let problems: Vec<String> = problems.iter().map(Problem::to_string).collect();
                f.write_str(&problems.join("; "))
            }
            Detail::Other(value) => write!(f, "{value}"),
            Detail::Body(text) if text.trim().is_empty() => f.write_str("(no body)"),
            Detail::Body(text) => f.write_str(text.trim()),
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
                e.detail()
            ),
            Error::Transport {
                operation,
                attempts,
                source,
            } => {
                write!(
                    f,
                    "{operation}: request failed{}: {source}",
                    tries(*attempts)
                )?;
                causes(f, source)
            }
            Error::Incomplete {
                operation,
                status,
                received,
                expected,
                lines,
                attempts,
                source,
            } => {
                let how = if source.is_timeout() {
                    "timed out"
                } else {
                    "closed"
                };
                write!(f, "{operation}: the connection {how} after ")?;
                if let Some(lines) = lines {
                    write!(
                        f,
                        "{} lines ({} bytes)",
                        grouped(*lines),
                        grouped(*received)
                    )?;
                } else {
                    write!(f, "{} ", grouped(*received))?;
                    match expected {
                        Some(expected) => write!(f, "of {} bytes", grouped(*expected))?,
                        None => f.write_str("bytes")?,
                    }
                }
                write!(f, " of the {status} answer{}: {source}", tries(*attempts))?;
                causes(f, source)
            }
            Error::Deadline {
                operation,
                deadline,
                attempts,
            } => write!(
                f,
                "{operation}: no answer within the call's deadline of {deadline:?}{}",
                tries(*attempts)
            ),
            Error::Decode {
                operation,
                status,
                body,
                path,
                source,
            } => {
                let at = match path.as_str() {
                    "" => String::new(),
                    path => format!(" at `{path}`"),
                };
                write!(
                    f,
                    "{operation}: could not decode the {status} response{at} ({source}): {}",
                    excerpt(body)
                )
            }
            Error::Unsupported {
                operation,
                since,
                server,
                status,
            } => write!(
                f,
                "{operation}: the server runs {} {server}, and this operation needs {since} or \
                 newer (the server answered {status})",
                crate::PRODUCT
            ),
            Error::UnsupportedParameter {
                operation,
                parameter,
                since,
                server,
            } => {
                let (what, reaction) = match parameter.strip_prefix("body.") {
                    Some(field) => (format!("the body field `{field}`"), "refuse"),
                    None => (format!("the `{parameter}` parameter"), "ignore"),
                };
                write!(
                f,
                "{operation}: the server runs {} {server}, and {what} needs {since} or newer (an \
                 older server would {reaction} it, so nothing was sent)",
                crate::PRODUCT,
            )
            }
            Error::Request { operation, message } => write!(f, "{operation}: {message}"),
        }
    }
}

/// ` (3 attempts)`, when there was more than one.
fn tries(attempts: u32) -> String {
    if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    }
}

/// reqwest's own text rarely says why ("error sending request"); its causes do.
fn causes(f: &mut fmt::Formatter<'_>, error: &reqwest::Error) -> fmt::Result {
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        write!(f, ": {inner}")?;
        cause = inner.source();
    }
    Ok(())
}

/// `12,345`: byte counts a reader takes in at a glance.
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } | Error::Incomplete { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Api(_)
            | Error::Deadline { .. }
            | Error::Unsupported { .. }
            | Error::UnsupportedParameter { .. }
            | Error::Request { .. } => None,
        }
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
