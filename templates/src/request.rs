//! One request on its way: built by an operation, sent with retries and re-login, and the
//! response it gets, read whole (or, for an NDJSON body, line by line) as part of the attempt.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::time::Instant;

use crate::client::Client;
use crate::encoding::{self, QueryStyle};
use crate::error::{ApiError, Error};
use crate::ndjson::{NdjsonStream, Source};
use crate::retry::is_retryable_status;
use crate::ErrorBody;

/// Decodes an error response's body by its status: one per operation, from the statuses it
/// documents. A plain `fn`, so every operation shares one copy of the code that calls it.
pub(crate) type ErrorDecoder = fn(u16, &[u8]) -> ErrorBody;

/// The media type whose bodies are read as they arrive rather than whole.
const NDJSON: &str = "application/x-ndjson";

/// One request being put together by an operation. It owns a handle to the client, so a
/// streamed body can send it again to resume.
#[derive(Clone)]
pub(crate) struct Request {
    client: Client,
    method: Method,
    operation: &'static str,
    /// The spec's path template, for tracing (never the filled-in path, which may hold ids).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    template: &'static str,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, Bytes)>,
    auth: bool,
    /// The release that added the operation, when the client supports older ones.
    since: Option<&'static str>,
    /// Parameters set on this request that some supported releases lack, with the release
    /// that added each.
    newer_params: Vec<(&'static str, &'static str)>,
}

// Not every document uses every parameter and body kind, so some of these go unused in a
// given crate.
#[allow(dead_code)]
impl Request {
    pub fn new(
        client: &Client,
        method: Method,
        operation: &'static str,
        template: &'static str,
        path: String,
    ) -> Self {
        Request {
            client: client.clone(),
            method,
            operation,
            template,
            path,
            query: String::new(),
            headers: Vec::new(),
            body: None,
            auth: false,
            since: None,
            newer_params: Vec::new(),
        }
    }

    /// The operation is newer than some releases the client supports: a 404 or 405 from a
    /// server older than `release` becomes [`Error::Unsupported`].
    pub fn since(&mut self, release: &'static str) {
        self.since = Some(release);
    }

    /// Sends the client's credentials with this request.
    pub fn authenticated(&mut self) {
        self.auth = true;
    }

    pub fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T, style: QueryStyle) {
        encoding::append_query(&mut self.query, name, value, style);
    }

    pub fn header<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Some(text) = encoding::header_value(value) {
            self.headers.push((name, text));
        }
    }

    /// [`Request::query`] for a parameter added in `release`: when it is set, a server older
    /// than that (which would ignore it, answering as if it were not) is not asked at all.
    pub fn query_since<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: QueryStyle,
        release: &'static str,
    ) {
        let before = self.query.len();
        self.query(name, value, style);
        if self.query.len() > before {
            self.newer_params.push((name, release));
        }
    }

    /// [`Request::header`] for a parameter added in `release`, as [`Request::query_since`].
    pub fn header_since<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        release: &'static str,
    ) {
        let before = self.headers.len();
        self.header(name, value);
        if self.headers.len() > before {
            self.newer_params.push((name, release));
        }
    }

    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Request {
            operation: self.operation,
            message: format!("the body does not serialise: {e}"),
        })?;
        self.body = Some(("application/json", bytes.into()));
        Ok(())
    }

    pub fn raw_body(&mut self, content_type: &'static str, bytes: Vec<u8>) {
        self.body = Some((content_type, bytes.into()));
    }

    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) {
        let mut text = String::new();
        encoding::append_query(&mut text, "", body, QueryStyle::Form { explode: true });
        self.body = Some(("application/x-www-form-urlencoded", text.into()));
    }

    /// Sends the request and returns the body of a success; any other status becomes an
    /// error decoded with `errors`. What most operations do, written once and not generic, so
    /// that each operation awaits the same future and only decoding is per type.
    pub async fn receive(self, errors: ErrorDecoder) -> Result<Body, Error> {
        let response = self.send().await?;
        if !response.is_success() {
            return Err(response.error(errors));
        }
        let (operation, status) = (response.operation, response.status);
        let bytes = match response.body {
            Content::Whole(bytes) => bytes,
            // A server that streams what the operation documents as one value.
            Content::Streamed(answer) => read_whole(answer)
                .await
                .map_err(|failure| failure.into_error(operation, 1))?,
        };
        Ok(Body {
            operation,
            status,
            bytes,
        })
    }

    /// Sends the request for an operation whose success has no body.
    pub async fn receive_nothing(self, errors: ErrorDecoder) -> Result<(), Error> {
        let response = self.send().await?;
        if response.is_success() {
            Ok(())
        } else {
            Err(response.error(errors))
        }
    }

    /// Sends the request: retried per the client's policy, and sent once more after a fresh
    /// login when the server says the token expired. A 404 or 405 for an operation newer than
    /// the server is [`Error::Unsupported`]; a parameter newer than the server is
    /// [`Error::UnsupportedParameter`], before anything is sent.
    pub async fn send(self) -> Result<Response, Error> {
        let (client, operation, since) = (self.client.clone(), self.operation, self.since);
        if !self.newer_params.is_empty() {
            if let Some(server) = client.server_version().await {
                let mut newer = self.newer_params.iter();
                if let Some(&(parameter, since)) =
                    newer.find(|(_, since)| crate::client::older(&server, since))
                {
                    return Err(Error::UnsupportedParameter {
                        operation,
                        parameter,
                        since,
                        server,
                    });
                }
            }
        }
        let response = self.send_unchecked().await?;
        let status = response.status();
        if let (Some(since), 404 | 405) = (since, status) {
            if let Some(server) = client.server_version().await {
                if crate::client::older(&server, since) {
                    return Err(Error::Unsupported {
                        operation,
                        since,
                        server,
                        status,
                    });
                }
            }
        }
        Ok(response)
    }

    /// [`Request::send`] without the check for an operation newer than the server (which
    /// asks the server's version with this).
    pub async fn send_unchecked(self) -> Result<Response, Error> {
        if let Some(segment) = self
            .path
            .split('/')
            .skip(1)
            .find(|s| s.is_empty() || *s == "." || *s == "..")
        {
            // `.` and `..` would be resolved away by URL parsing and reach another resource.
            let what = if segment.is_empty() {
                "an empty segment (an empty path parameter, or `//`)".to_string()
            } else {
                format!("a `{segment}` segment, which URL parsing would resolve away")
            };
            return Err(Error::Request {
                operation: self.operation,
                message: format!("the path `{}` has {what}", self.path),
            });
        }
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = tracing::info_span!(
                "request",
                operation = self.operation,
                method = %self.method,
                path = self.template,
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let started = std::time::Instant::now();
            let (result, attempts) = self.send_with_retries(1).instrument(span.clone()).await;
            if let Ok(response) = &result {
                span.record("status", response.status());
            }
            span.record("attempts", attempts);
            span.record("duration_ms", started.elapsed().as_secs_f64() * 1e3);
            tracing::debug!(parent: &span, ok = result.is_ok(), "request finished");
            result
        }
        #[cfg(not(feature = "tracing"))]
        {
            self.send_with_retries(1).await.0
        }
    }

    /// Sends the request again for a streamed body that was cut after `attempts` attempts,
    /// with the attempts the policy has left; `None` when it has none.
    pub(crate) async fn resend(self, attempts: u32) -> Option<Result<Response, Error>> {
        let policy = self.client.retry_policy();
        if attempts >= policy.attempts_for(&self.method) {
            return None;
        }
        tokio::time::sleep(policy.delay(attempts - 1, None)).await;
        Some(self.send_with_retries(attempts + 1).await.0)
    }

    /// The result and how many attempts it took, counting from attempt `first`. Each attempt
    /// reads the whole answer (an NDJSON success only its head), so a body cut short is
    /// retried like a connection that failed; the client's deadline bounds them all.
    async fn send_with_retries(self, first: u32) -> (Result<Response, Error>, u32) {
        let client = self.client.clone();
        let policy = client.retry_policy();
        let attempts = policy.attempts_for(&self.method);
        let deadline = client.deadline().map(|d| (d, Instant::now() + d));
        let mut attempt = first;
        let mut relogged = false;
        loop {
            let outcome = match deadline {
                Some((limit, at)) => tokio::time::timeout_at(at, self.attempt())
                    .await
                    .unwrap_or(Err(Failure::Deadline(limit))),
                None => self.attempt().await,
            };
            let wait = match &outcome {
                Ok(response) if response.status == 401 && self.auth && !relogged => {
                    relogged = true;
                    match client.relogin().await {
                        Ok(true) => continue,
                        Ok(false) => None,
                        Err(e) => return (Err(e), attempt),
                    }
                }
                Ok(response) if is_retryable_status(response.status) && attempt < attempts => {
                    Some(policy.delay(attempt - 1, Some(&response.headers)))
                }
                Err(failure) if failure.is_transient() && attempt < attempts => {
                    Some(policy.delay(attempt - 1, None))
                }
                _ => None,
            };
            // A wait that would pass the deadline ends the call with what it has now.
            let now = Instant::now();
            let wait = wait.filter(|wait| deadline.is_none_or(|(_, at)| now + *wait < at));
            match (wait, outcome) {
                (Some(wait), _) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                (None, Ok(mut response)) => {
                    if matches!(response.body, Content::Streamed(_)) {
                        response.resend = Some((Box::new(self), attempt));
                    }
                    return (Ok(response), attempt);
                }
                (None, Err(failure)) => {
                    return (Err(failure.into_error(self.operation, attempt)), attempt)
                }
            }
        }
    }

    /// One attempt: the request sent, and the answer read.
    async fn attempt(&self) -> Result<Response, Failure> {
        let answer = self.send_once().await.map_err(Failure::Unanswered)?;
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let streamed = (200..300).contains(&status) && media_type(&headers) == NDJSON;
        let body = if streamed {
            Content::Streamed(answer)
        } else {
            Content::Whole(read_whole(answer).await?)
        };
        Ok(Response {
            operation: self.operation,
            status,
            headers,
            body,
            resend: None,
        })
    }

    async fn send_once(&self) -> reqwest::Result<reqwest::Response> {
        let mut url = self.client.url(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        let mut builder = self.client.http().request(self.method.clone(), url);
        if self.auth {
            builder = self.client.authorize(builder);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        if let Some((content_type, bytes)) = &self.body {
            builder = builder
                .header(CONTENT_TYPE, *content_type)
                .body(bytes.clone());
        }
        builder.send().await
    }
}

/// Why an attempt got no whole answer.
enum Failure {
    /// No answer at all: the connection was refused or reset, or the attempt timed out.
    Unanswered(reqwest::Error),
    /// The status and headers arrived, the body did not arrive whole.
    Cut {
        status: u16,
        received: u64,
        expected: Option<u64>,
        source: reqwest::Error,
    },
    /// The call's deadline passed.
    Deadline(Duration),
}

impl Failure {
    /// Whether trying again may succeed: a network failure may pass, a deadline will not.
    fn is_transient(&self) -> bool {
        match self {
            Failure::Unanswered(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            Failure::Cut { .. } => true,
            Failure::Deadline(_) => false,
        }
    }

    fn into_error(self, operation: &'static str, attempts: u32) -> Error {
        match self {
            Failure::Unanswered(source) => Error::Transport {
                operation,
                attempts,
                source,
            },
            Failure::Cut {
                status,
                received,
                expected,
                source,
            } => Error::Incomplete {
                operation,
                status,
                received,
                expected,
                lines: None,
                attempts,
                source,
            },
            Failure::Deadline(deadline) => Error::Deadline {
                operation,
                deadline,
                attempts,
            },
        }
    }
}

/// Reads a body to its end, counting what arrived so a cut can say how much that was.
async fn read_whole(mut answer: reqwest::Response) -> Result<Bytes, Failure> {
    let status = answer.status().as_u16();
    let expected = answer.content_length();
    let mut chunks: Vec<Bytes> = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) => chunks.push(chunk),
            Ok(None) => break,
            Err(source) => {
                return Err(Failure::Cut {
                    status,
                    received: chunks.iter().map(|c| c.len() as u64).sum(),
                    expected,
                    source,
                })
            }
        }
    }
    // A body in one chunk (the usual case) is kept as it came, without a copy.
    Ok(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.remove(0),
        _ => chunks.concat().into(),
    })
}

/// The media type without parameters, lower-cased (`application/json`).
fn media_type(headers: &HeaderMap) -> String {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The body of a successful response, read in full.
// A document without JSON responses never reads one.
#[allow(dead_code)]
pub(crate) struct Body {
    operation: &'static str,
    status: u16,
    bytes: Bytes,
}

#[allow(dead_code)]
impl Body {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(self.operation, self.status, &self.bytes)
    }
}

/// A JSON body as `T`; an empty body reads like `null`, so `()` and `Option` bodies work.
fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    bytes: &[u8],
) -> Result<T, Error> {
    let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        bytes
    };
    serde_json::from_slice(slice).map_err(|source| Error::Decode {
        operation,
        status,
        body: String::from_utf8_lossy(bytes).into_owned(),
        source,
    })
}

/// A body read whole, or one still arriving (a successful NDJSON answer).
enum Content {
    Whole(Bytes),
    Streamed(reqwest::Response),
}

/// An answer to a request: its status and headers, and its body.
pub(crate) struct Response {
    operation: &'static str,
    status: u16,
    headers: HeaderMap,
    body: Content,
    /// For a streamed body: the request, to send again when the body is cut, and the
    /// attempts it took.
    resend: Option<(Box<Request>, u32)>,
}

// Not every document uses every response kind, so some of these go unused in a given crate.
#[allow(dead_code)]
impl Response {
    /// An answer got outside the retry loop (the token exchange, which that loop calls),
    /// read whole.
    pub(crate) async fn read(
        operation: &'static str,
        answer: reqwest::Response,
    ) -> Result<Response, Error> {
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let bytes = read_whole(answer)
            .await
            .map_err(|failure| failure.into_error(operation, 1))?;
        Ok(Response {
            operation,
            status,
            headers,
            body: Content::Whole(bytes),
            resend: None,
        })
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The media type without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> String {
        media_type(&self.headers)
    }

    /// The body as read. Only NDJSON successes stream, and the operations that document
    /// NDJSON read those with [`Response::ndjson`], so a streamed body is not asked for here.
    fn whole(self) -> Bytes {
        match self.body {
            Content::Whole(bytes) => bytes,
            Content::Streamed(_) => Bytes::new(),
        }
    }

    pub fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let (operation, status) = (self.operation, self.status);
        decode_json(operation, status, &self.whole())
    }

    pub fn text(self) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.whole()).into_owned())
    }

    pub fn bytes(self) -> Result<Bytes, Error> {
        Ok(self.whole())
    }

    /// The body line by line. A streamed body cut short is read again from the start, as the
    /// retry policy allows, skipping the lines already read.
    pub fn ndjson(self) -> NdjsonStream {
        let (operation, status, headers) = (self.operation, self.status, self.headers.clone());
        NdjsonStream::new(operation, status, headers, self.into_source())
    }

    pub(crate) fn into_source(self) -> Source {
        match self.body {
            Content::Streamed(answer) => Source::Streamed(answer, self.resend),
            Content::Whole(bytes) => Source::Whole(bytes),
        }
    }

    /// Turns the response into an [`Error::Api`], decoding the body with `decode(status,
    /// bytes)` (generated per operation from its documented responses).
    pub fn error(self, decode: ErrorDecoder) -> Error {
        let (operation, status) = (self.operation, self.status);
        let bytes = self.whole();
        Error::Api(Box::new(ApiError {
            operation,
            status,
            body: decode(status, &bytes),
            raw: String::from_utf8_lossy(&bytes).into_owned(),
        }))
    }
}
