//! One request on its way: built by an operation, sent with retries and re-login, and the
//! response it gets, read as the operation documents.

use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::Client;
use crate::encoding::{self, QueryStyle};
use crate::error::{ApiError, Error};
use crate::retry::is_retryable_status;
use crate::ErrorBody;

/// Decodes an error response's body by its status: one per operation, from the statuses it
/// documents. A plain `fn`, so every operation shares one copy of the code that calls it.
pub(crate) type ErrorDecoder = fn(u16, &[u8]) -> ErrorBody;

/// One request being put together by an operation.
pub(crate) struct Request<'a> {
    client: &'a Client,
    method: Method,
    operation: &'static str,
    /// The spec's path template, for tracing (never the filled-in path, which may hold ids).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    template: &'static str,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, Vec<u8>)>,
    auth: bool,
    /// The release that added the operation, when the client supports older ones.
    since: Option<&'static str>,
    /// Parameters set on this request that some supported releases lack, with the release
    /// that added each.
    newer_params: Vec<(&'static str, &'static str)>,
}

// Not every document uses every body kind, so some of these go unused in a given crate.
#[allow(dead_code)]
impl<'a> Request<'a> {
    pub fn new(
        client: &'a Client,
        method: Method,
        operation: &'static str,
        template: &'static str,
        path: String,
    ) -> Self {
        Request {
            client,
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
        self.body = Some(("application/json", bytes));
        Ok(())
    }

    pub fn raw_body(&mut self, content_type: &'static str, bytes: Vec<u8>) {
        self.body = Some((content_type, bytes));
    }

    pub fn form<T: Serialize + ?Sized>(&mut self, body: &T) {
        let mut text = String::new();
        encoding::append_query(&mut text, "", body, QueryStyle::Form { explode: true });
        self.body = Some(("application/x-www-form-urlencoded", text.into_bytes()));
    }

    /// Sends the request and reads the body of a success; any other status becomes an error
    /// decoded with `errors`. What most operations do, written once and not generic, so that
    /// each operation awaits the same future and only decoding is per type.
    pub async fn receive(self, errors: ErrorDecoder) -> Result<Body, Error> {
        let response = self.send().await?;
        if response.is_success() {
            let operation = response.operation;
            let (status, bytes) = response.read().await?;
            Ok(Body {
                operation,
                status,
                bytes,
            })
        } else {
            Err(response.error(errors).await)
        }
    }

    /// Sends the request for an operation whose success has no body.
    pub async fn receive_nothing(self, errors: ErrorDecoder) -> Result<(), Error> {
        let response = self.send().await?;
        if response.is_success() {
            Ok(())
        } else {
            Err(response.error(errors).await)
        }
    }

    /// Sends the request: retried per the client's policy, and sent once more after a fresh
    /// login when the server says the token expired. A 404 or 405 for an operation newer than
    /// the server is [`Error::Unsupported`]; a parameter newer than the server is
    /// [`Error::UnsupportedParameter`], before anything is sent.
    pub async fn send(self) -> Result<Response, Error> {
        let (client, operation, since) = (self.client, self.operation, self.since);
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
            let (result, attempts) = self.send_with_retries().instrument(span.clone()).await;
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
            self.send_with_retries().await.0
        }
    }

    /// The result and how many attempts it took.
    async fn send_with_retries(self) -> (Result<Response, Error>, u32) {
        let policy = self.client.retry_policy().clone();
        let attempts = policy.attempts_for(&self.method);
        let mut attempt = 1;
        let mut relogged = false;
        loop {
            match self.send_once().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status == 401 && self.auth && !relogged {
                        relogged = true;
                        match self.client.relogin().await {
                            Ok(true) => continue,
                            Ok(false) => {}
                            Err(e) => return (Err(e), attempt),
                        }
                    }
                    if is_retryable_status(status) && attempt < attempts {
                        tokio::time::sleep(policy.delay(attempt - 1, Some(response.headers())))
                            .await;
                        attempt += 1;
                        continue;
                    }
                    return (Ok(Response::new(self.operation, response)), attempt);
                }
                Err(source)
                    if attempt < attempts
                        && (source.is_connect() || source.is_timeout() || source.is_request()) =>
                {
                    tokio::time::sleep(policy.delay(attempt - 1, None)).await;
                    attempt += 1;
                }
                Err(source) => {
                    return (
                        Err(Error::Transport {
                            operation: self.operation,
                            source,
                        }),
                        attempt,
                    )
                }
            }
        }
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

/// The body of a successful response, read in full.
// A document without JSON responses never reads one.
#[allow(dead_code)]
pub(crate) struct Body {
    operation: &'static str,
    status: u16,
    bytes: bytes::Bytes,
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

/// A response whose body has not been read yet.
pub(crate) struct Response {
    operation: &'static str,
    inner: reqwest::Response,
}

// Not every document uses every response kind, so some of these go unused in a given crate.
#[allow(dead_code)]
impl Response {
    pub fn new(operation: &'static str, inner: reqwest::Response) -> Self {
        Response { operation, inner }
    }

    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    pub fn is_success(&self) -> bool {
        self.inner.status().is_success()
    }

    /// The media type without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> String {
        let value = self
            .inner
            .headers()
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

    async fn read(self) -> Result<(u16, bytes::Bytes), Error> {
        let status = self.status();
        let operation = self.operation;
        let bytes = self
            .inner
            .bytes()
            .await
            .map_err(|source| Error::Transport { operation, source })?;
        Ok((status, bytes))
    }

    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let operation = self.operation;
        let (status, bytes) = self.read().await?;
        decode_json(operation, status, &bytes)
    }

    pub async fn text(self) -> Result<String, Error> {
        let (_, bytes) = self.read().await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn bytes(self) -> Result<bytes::Bytes, Error> {
        Ok(self.read().await?.1)
    }

    pub fn ndjson(self) -> crate::ndjson::NdjsonStream {
        crate::ndjson::NdjsonStream::new(self.operation, self.inner)
    }

    /// Reads the body and turns the response into an [`Error::Api`], decoding the body with
    /// `decode(status, bytes)` (generated per operation from its documented responses).
    pub async fn error(self, decode: ErrorDecoder) -> Error {
        let operation = self.operation;
        match self.read().await {
            Ok((status, bytes)) => Error::Api(Box::new(ApiError {
                operation,
                status,
                body: decode(status, &bytes),
                raw: String::from_utf8_lossy(&bytes).into_owned(),
            })),
            Err(e) => e,
        }
    }
}
