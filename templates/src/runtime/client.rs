//! The client: base URL, credentials and transport settings shared by every API type.

use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;

use super::error::Error;
use super::request::Request;
use super::retry::RetryPolicy;

/// A connection to one server. Cheap to clone; clones share the connection pool, the token
/// and the settings.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    retry: RetryPolicy,
    deadline: Option<Duration>,
    auth: RwLock<Auth>,
    /// The server's version, once asked.
    version: OnceLock<String>,
}

#[derive(Default)]
struct Auth {
    /// `Authorization: Bearer …` (or what `auth_header` set), the value marked sensitive so
    /// reqwest and `Debug` never show it.
    header: Option<(HeaderName, HeaderValue)>,
    /// Kept after a login so an expired token can be replaced once, on a 401.
    credentials: Option<Credentials>,
}

#[derive(Clone)]
struct Credentials {
    username: String,
    password: Secret,
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
        let auth = self.inner.auth.read();
        let has_token = auth.is_ok_and(|a| a.header.is_some());
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &if has_token { "<redacted>" } else { "<none>" })
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// Settings for a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    credential: Option<(HeaderName, Secret)>,
    timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    deadline: Option<Duration>,
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer TOKEN` with every request that needs it. Surrounding
    /// whitespace (a newline from a file, say) is trimmed.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.auth_header(AUTHORIZATION, format!("Bearer {}", token.into().trim()))
    }

    /// Sends `name: value` in place of a bearer token, for servers that take other
    /// credentials: an API key header, or HTTP basic (`AUTHORIZATION`, `Basic` and the
    /// base64 of `user:password`). The value is marked sensitive, never shown.
    pub fn auth_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.credential = Some((name, Secret(value.into())));
        self
    }

    /// Fails an attempt that takes longer than this, from sending the request to the last
    /// byte of its answer (default: no limit). A timed-out attempt is retried as the
    /// [`RetryPolicy`] allows, so a call may take `attempts` times this plus the waits
    /// between them; [`ClientBuilder::deadline`] bounds the whole.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Fails a call that has no answer this long after it began, its retries and their waits
    /// included (default: no limit), with [`Error::Deadline`]. A retry whose wait (the
    /// policy's backoff or the server's `Retry-After`) would end past the deadline is not
    /// made: the call ends at once with the answer it has, say the server's 503.
    ///
    /// With `timeout(10 s)`, `deadline(25 s)` and 3 attempts, a server that never answers
    /// costs two 10 s attempts and the start of a third, cut at 25 s. A streamed body (an
    /// NDJSON log) is bounded up to its first bytes; its lines arrive as the server writes
    /// them. A paged `_stream` applies the deadline to each page.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
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

    /// Total attempts per request, the first included (default 3; 1 turns retries off).
    pub fn retries(mut self, attempts: u32) -> Self {
        self.retry.attempts = attempts.max(1);
        self
    }

    /// The whole retry policy: attempts, backoff, and whether POST/PATCH are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client; fails when the base URL is not an absolute `http` or `https` URL or the
    /// token cannot be a header value.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        // `localhost:8080` parses too, as a URL of scheme `localhost`.
        let parsed = reqwest::Url::parse(&base_url);
        if !parsed.is_ok_and(|url| matches!(url.scheme(), "http" | "https")) {
            return Err(Error::Request {
                operation: "build",
                message: format!("`{base_url}` is not an absolute http or https URL"),
            });
        }
        let header = match self.credential {
            Some((name, value)) => Some((name, sensitive("build", value.0.trim())?)),
            None => None,
        };
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(self.user_agent);
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(|e| Error::Request {
                    operation: "build",
                    message: e.to_string(),
                })?
            }
        };
        let auth = RwLock::new(Auth {
            header,
            credentials: None,
        });
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                retry: self.retry,
                deadline: self.deadline,
                auth,
                version: OnceLock::new(),
            }),
        })
    }

    /// Builds the client and logs in: a username and password are exchanged for a token at
    /// the spec's token endpoint, and exchanged again once if the server later answers 401.
    pub async fn login(self, username: &str, password: &str) -> Result<Client, Error> {
        let client = self.build()?;
        client.login(username, password).await?;
        Ok(client)
    }
}

/// `Authorization: Bearer TOKEN`, its value sensitive, or why the token cannot be one.
fn bearer_header(operation: &'static str, token: &str) -> Result<(HeaderName, HeaderValue), Error> {
    Ok((
        AUTHORIZATION,
        sensitive(operation, &format!("Bearer {}", token.trim()))?,
    ))
}

/// A credential as a header value never shown, or why it cannot be one.
fn sensitive(operation: &'static str, credential: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(credential).map_err(|_| Error::Request {
        operation,
        message: "the credential has characters a header cannot carry (control characters or \
                  non-ASCII)"
            .into(),
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[derive(serde::Deserialize)]
struct LoginResponse {
    access_token: String,
}

impl Client {
    /// Starts configuring a client for the server at `base_url`: `http://localhost:8080`, or
    /// with the path the API lives under when its document's server URL has one (its README's).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            credential: None,
            timeout: None,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
            retry: RetryPolicy::default(),
            deadline: None,
        }
    }

    /// A client with a bearer token and default settings.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Client, Error> {
        Client::builder(base_url).bearer_token(token).build()
    }

    /// Exchanges a username and password for a token and uses it from now on; the
    /// credentials are kept (never shown) to log in again once when a token expires.
    pub async fn login(&self, username: &str, password: &str) -> Result<(), Error> {
        let token = self.fetch_token(username, password).await?;
        let header = bearer_header("login", &token)?;
        if let Ok(mut auth) = self.inner.auth.write() {
            auth.header = Some(header);
            auth.credentials = Some(Credentials {
                username: username.to_string(),
                password: Secret(password.to_string()),
            });
        }
        Ok(())
    }

    /// Replaces the bearer token (and forgets login credentials).
    pub fn set_token(&self, token: impl Into<String>) -> Result<(), Error> {
        let header = bearer_header("set_token", &token.into())?;
        if let Ok(mut auth) = self.inner.auth.write() {
            *auth = Auth {
                header: Some(header),
                credentials: None,
            };
        }
        Ok(())
    }

    /// The server's version (`3.1.8`), asked at the API's version endpoint the first time it
    /// is wanted and kept; `None` when the API has no such endpoint or the server would not
    /// say (that is asked again next time).
    pub async fn server_version(&self) -> Option<String> {
        if let Some(version) = self.inner.version.get() {
            return Some(version.clone());
        }
        let (path, field) = crate::VERSION_ENDPOINT?;
        let request = Request::new(self, Method::GET, "server_version", path, path.into());
        let response = request.send_unchecked().await.ok()?;
        if !response.is_success() {
            return None;
        }
        let answer: serde_json::Value = response.json().ok()?;
        let version = answer.get(field)?.as_str()?.to_string();
        Some(self.inner.version.get_or_init(|| version).clone())
    }

    /// Whether the server is at least `release`: `false` when it is older or would not say.
    pub async fn supports(&self, release: &str) -> bool {
        self.server_version()
            .await
            .is_some_and(|server| !older(&server, release))
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
        self.url_with_query(path, "")
    }

    /// `path` and, unless it is empty, `?query` joined to the base URL.
    pub(crate) fn url_with_query(&self, path: &str, query: &str) -> String {
        // A path may carry a fixed query of its own (`/{bucket}?uploads`).
        let joint = if path.contains('?') { "&" } else { "?" };
        let separator = if query.is_empty() { "" } else { joint };
        [self.inner.base_url.as_str(), path, separator, query].concat()
    }

    /// Adds this client's credentials to a request built with [`Client::http`].
    pub fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.inner.auth.read().ok().and_then(|a| a.header.clone()) {
            Some((name, value)) => request.header(name, value),
            None => request,
        }
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.inner.deadline
    }

    /// Logs in again with the kept credentials; `false` when there are none.
    pub(crate) async fn relogin(&self) -> Result<bool, Error> {
        let auth = self.inner.auth.read().ok();
        let credentials = auth.and_then(|a| a.credentials.clone());
        match credentials {
            Some(c) => self.login(&c.username, &c.password.0).await.map(|()| true),
            None => Ok(false),
        }
    }

    /// POSTs the credentials to the token endpoint: RFC 6749's password grant form where the
    /// document's endpoint takes one, else JSON (Airflow's). Deliberately bypasses the retry
    /// and re-login machinery, which calls this.
    async fn fetch_token(&self, username: &str, password: &str) -> Result<String, Error> {
        const OPERATION: &str = "login";
        let Some((token_url, form)) = crate::TOKEN_URL else {
            return Err(Error::Request {
                operation: OPERATION,
                message: "the spec declares no password token endpoint".into(),
            });
        };
        // An identity provider's absolute URL is used as it is; a relative one (FastAPI's
        // `token`) is from the root, as paths are.
        let url = match token_url.contains("://") {
            true => token_url.to_string(),
            false => self.url(&format!("/{}", token_url.trim_start_matches('/'))),
        };
        let request = self.inner.http.request(Method::POST, url);
        let request = if form {
            let grant = [
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
            ];
            request.form(&grant)
        } else {
            let body = serde_json::json!({ "username": username, "password": password });
            let request = request.header(CONTENT_TYPE, "application/json");
            request.body(body.to_string())
        };
        let response = request.send().await.map_err(|source| Error::Transport {
            operation: OPERATION,
            attempts: 1,
            source,
        })?;
        let response = super::request::Response::read(OPERATION, response).await?;
        if !response.is_success() {
            return Err(response.error(|_, body| super::error::untyped_body(body)));
        }
        let login: LoginResponse = response.json()?;
        Ok(login.access_token)
    }
}

/// Whether release `server` comes before `release`, comparing the numbers of each
/// (`3.1.8` < `3.3.0`; `3.3.0.dev0` counts as `3.3.0`).
pub(crate) fn older(server: &str, release: &str) -> bool {
    let numbers = |v: &str| -> Vec<u64> {
        v.split('.')
            .map_while(|part| {
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect()
    };
    numbers(server) < numbers(release)
}
