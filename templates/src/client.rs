//! The HTTP client: base URL, authentication, and the request plumbing every operation uses.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::encoding::{self, QueryStyle};
use crate::error::{Error, ApiError};
use crate::ErrorBody;

/// A connection to one server. Cheap to clone; clones share the connection pool and token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    token: RwLock<Option<Secret>>,
}

/// A credential that never shows in `Debug` or `Display`.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has_token = self.inner.token.read().map(|t| t.is_some()).unwrap_or(false);
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &if has_token { "<redacted>" } else { "<none>" })
            .finish()
    }
}

/// Settings for a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Secret>,
    timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer TOKEN` with every request that needs it.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret(token.into()));
        self
    }

    /// Fails a request that takes longer than this (default: none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default: crate name and version).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses a `reqwest::Client` you configured (proxies, certificates, ...). Timeout and user
    /// agent set here are then ignored: configure them on that client.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The client; fails when the base URL is not an absolute URL.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        if reqwest::Url::parse(&base_url).is_err() {
            return Err(Error::Request { operation: "build", message: format!("`{base_url}` is not an absolute URL") });
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(|e| Error::Request { operation: "build", message: e.to_string() })?
            }
        };
        Ok(Client { inner: Arc::new(Inner { http, base_url, token: RwLock::new(self.token) }) })
    }

    /// Builds the client and obtains a token from the server's token endpoint with a
    /// username and password (the OAuth2 password flow the spec declares).
    pub async fn login(self, username: &str, password: &str) -> Result<Client, Error> {
        let client = self.build()?;
        client.login(username, password).await?;
        Ok(client)
    }
}

#[derive(Serialize)]
struct LoginRequest<'a> {
    username: &'a str,
    password: &'a str,
}

#[derive(serde::Deserialize)]
struct LoginResponse {
    access_token: String,
}

impl Client {
    /// Starts configuring a client for the server at `base_url` (e.g. `http://localhost:8080`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            timeout: None,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
        }
    }

    /// A client with a bearer token and default settings.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Client, Error> {
        Client::builder(base_url).bearer_token(token).build()
    }

    /// Obtains a new token with a username and password and uses it from now on.
    pub async fn login(&self, username: &str, password: &str) -> Result<(), Error> {
        const OPERATION: &str = "login";
        let Some(token_url) = crate::TOKEN_URL else {
            return Err(Error::Request { operation: OPERATION, message: "the spec declares no password token endpoint".into() });
        };
        let mut request = self.request(Method::POST, OPERATION, token_url.to_string());
        request.json(&LoginRequest { username, password })?;
        let response = request.send().await?;
        if !response.is_success() {
            return Err(response.error(|_, body| crate::error::untyped_body(body)).await);
        }
        let login: LoginResponse = response.json().await?;
        self.set_token(login.access_token);
        Ok(())
    }

    /// Replaces the bearer token.
    pub fn set_token(&self, token: impl Into<String>) {
        if let Ok(mut slot) = self.inner.token.write() {
            *slot = Some(Secret(token.into()));
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The underlying `reqwest::Client`, for endpoints this crate does not cover.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// `path` (starting with `/`) joined to the base URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base_url)
    }

    /// Adds this client's credentials to a request built with [`Client::http`].
    pub fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.bearer() {
            Some(value) => request.header(AUTHORIZATION, value),
            None => request,
        }
    }

    fn bearer(&self) -> Option<HeaderValue> {
        let token = self.inner.token.read().ok()?;
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.as_ref()?.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    pub(crate) fn request(&self, method: Method, operation: &'static str, path: String) -> Request<'_> {
        Request { client: self, operation, method, path, query: String::new(), headers: Vec::new(), body: None, auth: false }
    }
}

/// One request being put together by an operation.
pub(crate) struct Request<'a> {
    client: &'a Client,
    operation: &'static str,
    method: Method,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, Vec<u8>)>,
    auth: bool,
}

// Not every document uses every body kind, so some of these go unused in a given crate.
#[allow(dead_code)]
impl Request<'_> {
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

    pub fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Request { operation: self.operation, message: format!("the body does not serialise: {e}") })?;
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

    pub async fn send(self) -> Result<Response, Error> {
        let mut url = self.client.url(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        let mut builder = self.client.inner.http.request(self.method, url);
        if self.auth {
            builder = self.client.authorize(builder);
        }
        for (name, value) in self.headers {
            builder = builder.header(name, value);
        }
        if let Some((content_type, bytes)) = self.body {
            builder = builder.header(CONTENT_TYPE, content_type).body(bytes);
        }
        let operation = self.operation;
        let inner = builder.send().await.map_err(|source| Error::Transport { operation, source })?;
        Ok(Response { operation, inner })
    }
}

/// A response whose body has not been read yet.
pub(crate) struct Response {
    operation: &'static str,
    inner: reqwest::Response,
}

// Not every document uses every response kind, so some of these go unused in a given crate.
#[allow(dead_code)]
impl Response {
    pub fn status(&self) -> u16 {
        self.inner.status().as_u16()
    }

    pub fn is_success(&self) -> bool {
        self.inner.status().is_success()
    }

    /// The media type without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> String {
        let value = self.inner.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
    }

    async fn read(self) -> Result<(u16, bytes::Bytes), Error> {
        let status = self.status();
        let operation = self.operation;
        let bytes = self.inner.bytes().await.map_err(|source| Error::Transport { operation, source })?;
        Ok((status, bytes))
    }

    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        let operation = self.operation;
        let (status, bytes) = self.read().await?;
        // An empty success body decodes like `null`, so `()` and `Option` bodies work.
        let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"null" } else { &bytes };
        serde_json::from_slice(slice).map_err(|source| Error::Decode {
            operation,
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            source,
        })
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
    pub async fn error(self, decode: impl FnOnce(u16, &[u8]) -> ErrorBody) -> Error {
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
