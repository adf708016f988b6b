// Written by hand in the generator's templates/src/runtime/call.rs, and copied here when the client is generated. Change it there, not here.

//! Requests to endpoints this crate has no method for, sent the way its own are: with the
//! client's credentials, retries and re-login, and the same errors.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::encoding::QueryStyle;
use super::error::untyped_body;
use super::request::{Request, Response};
use crate::{Client, Error};

/// A request to an endpoint of your choosing, made by [`Client::call`].
///
/// ```no_run
/// # async fn example(client: airflow_client::Client) -> Result<(), airflow_client::Error> {
/// use airflow_client::{reqwest, serde_json};
///
/// let version: serde_json::Value = client
///     .call(reqwest::Method::GET, "/api/v2/version")
///     .send()
///     .await?;
/// println!("Airflow {}", version["version"]);
/// # Ok(())
/// # }
/// ```
pub struct Call {
    request: Request,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a request to `path` (from the server's root, say `/api/v2/version`; the leading `/`
    /// may be left out), sent with this client's credentials, retry policy and re-login, failing
    /// with the same [`Error`]s as the crate's own operations (the body's `detail` included).
    pub fn call(&self, method: Method, path: impl Into<String>) -> Call {
        let template = "(a path of the caller's)";
        let request = Request::new(self, method, "call", template, rooted(path.into()));
        Call { request }
    }
}

/// `path` from the server's root, whether or not the caller wrote the leading `/`.
fn rooted(mut path: String) -> String {
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    path
}

impl Call {
    /// Adds a query parameter; a list repeats the name (`state=a&state=b`), dates are
    /// RFC 3339 and `None` adds nothing.
    pub fn query<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.request.query(name, value);
        self
    }

    /// Adds a query parameter in another [`QueryStyle`] (`state=a,b`, `f[k]=v`, ...).
    pub fn query_as<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
        style: QueryStyle,
    ) -> Self {
        self.request.query_as(name, value, style);
        self
    }

    /// Adds every field of `params`, a struct (say a `...Params` of this crate's operations),
    /// as [`Call::query`] adds one, in the struct's order.
    pub fn query_params<T: Serialize>(mut self, params: &T) -> Self {
        self.request.query_params(params);
        self
    }

    /// Adds a header; a list is comma-separated, an object `key,value,...`, `None` adds nothing.
    pub fn header<T: Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.request.header(name, value);
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.request.json("application/json", body);
        self
    }

    /// Sends the fields of `body`, a struct, as `application/x-www-form-urlencoded`.
    pub fn form<T: Serialize>(mut self, body: &T) -> Self {
        self.request.form(body);
        self
    }

    /// Sends `bytes` as the body, of media type `content_type`.
    pub fn body(mut self, content_type: &'static str, bytes: impl Into<bytes::Bytes>) -> Self {
        self.request.body(content_type, bytes);
        self
    }

    /// Sends the request and decodes a successful answer's JSON as `T`: a model of this crate,
    /// your own type, or `serde_json::Value` (also the way to take and drop a body you do not
    /// need); `()` for an answer with no body at all.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.response().await?.json()
    }

    /// Sends the request and gives the successful answer as it came: status, headers, and
    /// the body to read as JSON, text, bytes or NDJSON lines.
    pub async fn response(self) -> Result<Response, Error> {
        self.request
            .receive(|_, body| untyped_body(body), false)
            .await
    }
}
