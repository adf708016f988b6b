//! One request on its way: built by an operation, sent with retries and re-login, and the
//! response it gets, read whole (or, for an NDJSON body, line by line) as part of the attempt.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::time::Instant;

use super::client::Client;
use super::encoding::{self, QueryStyle};
use super::error::{ApiError, Error};
use super::ndjson::{NdjsonStream, Source};
use super::retry::is_retryable_status;
use crate::ErrorBody;

/// Decodes an error response's body by its status: one per operation, from the statuses it
/// documents. A plain `fn`, so every operation shares one copy of the code that calls it.
pub(crate) type ErrorDecoder = fn(u16, &[u8]) -> ErrorBody;

/// The media types whose bodies are read as they arrive rather than whole.
const STREAMED: [&str; 2] = ["application/x-ndjson", "text/event-stream"];

/// One request being put together by an operation. It owns a handle to the client, so a
/// streamed body can send it again to resume.
#[derive(Clone)]
pub(crate) struct Request {
    client: Client,
    method: Method,
    pub(super) operation: &'static str,
    /// The spec's path template, for messages and tracing (which never get the filled-in
    /// path: it may hold ids).
    template: &'static str,
    path: String,
    query: String,
    pub(super) headers: Vec<(&'static str, String)>,
    body: Option<(Cow<'static, str>, Bytes)>,
    /// Whether the client's credentials go with it: they do unless the operation needs none.
    pub(super) auth: bool,
    /// The names of the parameters set, as they travel.
    pub(super) set: Vec<&'static str>,
    /// The release that added the operation, when the client supports older ones.
    pub(super) since: Option<&'static str>,
    /// Parameters some supported releases lack, with the release that added each.
    pub(super) newer: &'static [(&'static str, &'static str)],
    /// This call's own attempt timeout and deadline, in place of the client's.
    pub(super) timeout: Option<Duration>,
    pub(super) deadline: Option<Duration>,
    /// Headers the caller added to this call, sent over the operation's own.
    pub(super) extra: HeaderMap,
    /// Why the request cannot be sent (a body that did not serialise), reported when it is.
    failed: Option<String>,
}

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
            auth: true,
            set: Vec::new(),
            since: None,
            newer: &[],
            timeout: None,
            deadline: None,
            extra: HeaderMap::new(),
            failed: None,
        }
    }

    /// Marks the request as one that cannot be sent, for `why`; sending it fails with that.
    pub fn fail(&mut self, why: String) {
        self.failed.get_or_insert(why);
    }

    /// A query parameter, `a=1&a=2` for a list; nothing for `None`.
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.query_as(name, value, QueryStyle::Form { explode: true });
    }

    /// A query parameter in another style than [`Request::query`]'s.
    pub fn query_as<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: QueryStyle,
    ) {
        if encoding::append_query(&mut self.query, name, encoding::to_value(value), style) {
            self.set.push(name);
        }
    }

    /// Every field of `params` (a struct) as a query parameter, in its order, as
    /// [`Request::query`] writes one.
    pub fn query_params<T: Serialize>(&mut self, params: &T) {
        match encoding::append_fields(&mut self.query, params) {
            Ok(set) => self.set.extend(set),
            Err(e) => self.fail(format!("the parameters do not serialise: {e}")),
        }
    }

    /// A header; nothing for `None`.
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if let Some(text) = encoding::header_value(value) {
            self.headers.push((name, text));
            self.set.push(name);
        }
    }

    /// `body` as JSON, sent as `content_type` (`application/json`, or a `+json` type).
    pub fn json<T: Serialize + ?Sized>(&mut self, content_type: &'static str, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some((content_type.into(), bytes.into())),
            Err(e) => self.fail(format!("the body does not serialise: {e}")),
        }
    }

    pub fn body(&mut self, content_type: impl Into<Cow<'static, str>>, bytes: impl Into<Bytes>) {
        self.body = Some((content_type.into(), bytes.into()));
    }

    /// `body` (a struct) as `application/x-www-form-urlencoded`.
    pub fn form<T: Serialize>(&mut self, body: &T) {
        let mut text = String::new();
        match encoding::append_fields(&mut text, body) {
            Ok(_) => self.body = Some(("application/x-www-form-urlencoded".into(), text.into())),
            Err(e) => self.fail(format!("the form does not serialise: {e}")),
        }
    }

    /// Sends the request and returns a success, its body read whole unless `streamed` (an
    /// operation that reads an NDJSON body as it arrives); any other status becomes an error
    /// decoded with `errors`. What every operation does, written once and not generic, so
    /// that each operation awaits the same future and only decoding is per type.
    pub async fn receive(self, errors: ErrorDecoder, streamed: bool) -> Result<Response, Error> {
        let mut response = self.send().await?;
        if !response.is_success() {
            return Err(response.error(errors));
        }
        if streamed {
            return Ok(response);
        }
        // A server that streams what the operation documents as one value.
        if let Content::Streamed(answer) = response.body {
            let bytes = read_whole(answer).await;
            let bytes = bytes.map_err(|failure| failure.into_error(response.operation, 1))?;
            response.body = Content::Whole(bytes);
        }
        Ok(response)
    }

    /// Sends the request: retried per the client's policy, and sent once more after a fresh
    /// login when the server says the token expired. A 404 or 405 for an operation newer than
    /// the server is [`Error::Unsupported`]; a parameter newer than the server is
    /// [`Error::UnsupportedParameter`], before anything is sent.
    pub async fn send(self) -> Result<Response, Error> {
        let (client, operation, since) = (self.client.clone(), self.operation, self.since);
        if let Some(message) = self.failed {
            return Err(Error::Request { operation, message });
        }
        let mut newer = self
            .newer
            .iter()
            .filter(|(name, _)| match name.strip_prefix("body.") {
                Some(path) => self.body_has(path),
                None => self.set.contains(name),
            });
        if newer.clone().next().is_some() {
            if let Some(server) = client.server_version().await {
                if let Some(&(parameter, since)) =
                    newer.find(|(_, since)| super::client::older(&server, since))
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
                if super::client::older(&server, since) {
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

    /// Whether the JSON body has a field at `path` (`actions[].update_mask`: in any item of
    /// the list `actions`), `null` included.
    fn body_has(&self, path: &str) -> bool {
        fn has(value: &serde_json::Value, path: &[&str]) -> bool {
            let Some((segment, rest)) = path.split_first() else {
                return true;
            };
            let (key, each) = match segment.strip_suffix("[]") {
                Some(key) => (key, true),
                None => (*segment, false),
            };
            match (value.get(key), each) {
                (Some(serde_json::Value::Array(items)), true) => {
                    items.iter().any(|item| has(item, rest))
                }
                (Some(field), false) => has(field, rest),
                _ => false,
            }
        }
        let Some((_, bytes)) = &self.body else {
            return false;
        };
        let path: Vec<&str> = path.split('.').collect();
        serde_json::from_slice(bytes).is_ok_and(|body| has(&body, &path))
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
                message: format!("the path `{}` (`{}`) has {what}", self.path, self.template),
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
        let deadline = self.deadline.or(client.deadline());
        let deadline = deadline.map(|d| (d, Instant::now() + d));
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
        Response::arrived(self.operation, answer, true).await
    }

    async fn send_once(&self) -> reqwest::Result<reqwest::Response> {
        let url = self.client.url_with_query(&self.path, &self.query);
        let mut builder = self.client.http().request(self.method.clone(), url);
        if self.auth {
            builder = self.client.authorize(builder);
        }
        for (name, value) in &self.headers {
            builder = builder.header(*name, value);
        }
        if let Some((content_type, bytes)) = &self.body {
            builder = builder
                .header(CONTENT_TYPE, content_type.as_ref())
                .body(bytes.clone());
        }
        // Last, so a call's own header replaces the operation's (a `content-type` naming the
        // image an `image/*` upload carries, say) rather than going out beside it.
        builder = builder.headers(self.extra.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
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
    // A body in one chunk (the usual case) is kept as it came, without a copy.
    let mut first = Bytes::new();
    let mut more: Vec<Bytes> = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) if first.is_empty() && more.is_empty() => first = chunk,
            Ok(Some(chunk)) => more.push(chunk),
            Ok(None) => break,
            Err(source) => {
                return Err(Failure::Cut {
                    status,
                    received: (first.len() + more.iter().map(Bytes::len).sum::<usize>()) as u64,
                    expected,
                    source,
                })
            }
        }
    }
    Ok(if more.is_empty() {
        first
    } else {
        more.insert(0, first);
        more.concat().into()
    })
}

/// The media type without parameters, as the server wrote it (`application/json`).
fn essence(headers: &HeaderMap) -> &str {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    value.split(';').next().unwrap_or_default().trim()
}

/// A JSON body as `T`; an empty body reads like `null`, so `()` and `Option` bodies work.
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    bytes: &[u8],
) -> Result<T, Error> {
    let json: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        bytes
    };
    serde_json::from_slice(json).map_err(|source| decode_error(operation, status, bytes, source))
}

/// The error names the field where decoding stopped, so one bad item of a long page is found.
/// Not generic, so the code that finds it is compiled once rather than for every type.
fn decode_error(
    operation: &'static str,
    status: u16,
    bytes: &[u8],
    source: serde_json::Error,
) -> Error {
    let path = path_at(bytes, &source);
    let body = String::from_utf8_lossy(bytes).into_owned();
    Error::Decode {
        operation,
        status,
        body,
        path,
        source,
    }
}

/// An array or object still open where decoding stopped.
enum Open {
    Array(usize),
    /// The key being read, once it has been.
    Object(Option<String>),
}

/// The path (`task_instances[3].state`) of the value that serde_json's `error` points at, read
/// from the text before that point: the index or key of each array or object still open.
/// Empty for the body as a whole.
fn path_at(json: &[u8], error: &serde_json::Error) -> String {
    let lines = json.split_inclusive(|&b| b == b'\n');
    let line_start: usize = lines
        .take(error.line().saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    let end = json.len().min(line_start + error.column());
    let mut open = Vec::new();
    let mut at = 0;
    while at < end {
        match json[at] {
            b'[' => open.push(Open::Array(0)),
            b'{' => open.push(Open::Object(None)),
            b']' | b'}' => {
                open.pop();
            }
            b',' => match open.last_mut() {
                Some(Open::Array(index)) => *index += 1,
                Some(Open::Object(key)) => *key = None,
                None => {}
            },
            b'"' => {
                let from = at;
                at += 1;
                while at < json.len() && json[at] != b'"' {
                    at += if json[at] == b'\\' { 2 } else { 1 };
                }
                if let Some(Open::Object(key @ None)) = open.last_mut() {
                    *key = json
                        .get(from..=at)
                        .and_then(|s| serde_json::from_slice(s).ok());
                }
            }
            _ => {}
        }
        at += 1;
    }
    open.into_iter()
        .fold(String::new(), |path, open| match open {
            Open::Array(index) => format!("{path}[{index}]"),
            Open::Object(Some(key)) if path.is_empty() => key,
            Open::Object(Some(key)) => format!("{path}.{key}"),
            Open::Object(None) => path,
        })
}

/// A body read whole, or one still arriving (a successful NDJSON answer).
enum Content {
    Whole(Bytes),
    Streamed(reqwest::Response),
}

/// A successful answer, as [`Call::response`](crate::Call::response) gives it: status,
/// headers and body.
pub struct Response {
    pub(super) operation: &'static str,
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    body: Content,
    /// For a streamed body: the request, to send again when the body is cut, and the
    /// attempts it took.
    resend: Option<(Box<Request>, u32)>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// `answer` with its body read whole, or, for a successful NDJSON answer when `stream`
    /// is set, left to arrive.
    async fn arrived(
        operation: &'static str,
        mut answer: reqwest::Response,
        stream: bool,
    ) -> Result<Response, Failure> {
        let status = answer.status().as_u16();
        // Taken, not copied: the body reads the same without them.
        let headers = std::mem::take(answer.headers_mut());
        let media = essence(&headers).to_ascii_lowercase();
        let streamed = stream && (200..300).contains(&status) && STREAMED.contains(&&*media);
        let body = if streamed {
            Content::Streamed(answer)
        } else {
            Content::Whole(read_whole(answer).await?)
        };
        Ok(Response {
            operation,
            status,
            headers,
            body,
            resend: None,
        })
    }

    /// An answer got outside the retry loop (the token exchange, which that loop calls),
    /// read whole.
    pub(crate) async fn read(
        operation: &'static str,
        answer: reqwest::Response,
    ) -> Result<Response, Error> {
        let response = Response::arrived(operation, answer, false).await;
        response.map_err(|failure| failure.into_error(operation, 1))
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers (request ids, rate limits, continuation tokens).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The media type without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> String {
        essence(&self.headers).to_ascii_lowercase()
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as read; a body still streaming (NDJSON) is read with [`Response::ndjson`].
    fn whole(self) -> Bytes {
        match self.body {
            Content::Whole(bytes) => bytes,
            Content::Streamed(_) => Bytes::new(),
        }
    }

    /// The body decoded as JSON; an empty body reads as `null`, so `()` and `Option` work.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let (operation, status) = (self.operation, self.status);
        decode_json(operation, status, &self.whole())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(self) -> String {
        String::from_utf8_lossy(&self.whole()).into_owned()
    }

    /// The body's bytes.
    pub fn bytes(self) -> Bytes {
        self.whole()
    }

    /// The body line by line, each line one JSON value. A body cut short is read again from
    /// the start as the retry policy allows, skipping the lines already read.
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
    pub(crate) fn error(self, decode: ErrorDecoder) -> Error {
        let (operation, status) = (self.operation, self.status);
        let headers = self.headers.clone();
        let bytes = self.whole();
        Error::Api(Box::new(ApiError {
            operation,
            status,
            headers,
            body: decode(status, &bytes),
            raw: String::from_utf8_lossy(&bytes).into_owned(),
        }))
    }
}
