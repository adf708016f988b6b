// Written by hand in the generator's templates/src/blocking/mod.rs, and copied here when the client is generated. Change it there, not here.

//! The operations for callers without an async runtime (feature `blocking`): every method
//! blocks until the answer is in, and the `_stream` twins (and `follow_log`, where the crate
//! has it) are iterators. The rest of the async API is one [`Client::block_on`] away, on
//! [`Client::as_async`]: an endpoint of your own with [`crate::Client::call`], say, or the
//! lines of an NDJSON log with [`Client::lines`].
//!
//! ```no_run
//! # fn example() -> Result<(), airflow_client::Error> {
//! use airflow_client::blocking::Client;
//! use airflow_client::{reqwest, serde_json};
//!
//! let client = Client::login(Client::builder("http://localhost:8080"), "admin", "admin")?;
//! println!("server {:?}", client.server_version());
//! let version: serde_json::Value =
//!     client.block_on(client.as_async().call(reqwest::Method::GET, "/api/v2/version").send())?;
//! # let _ = version;
//! # Ok(())
//! # }
//! ```
//!
//! Do not call these from inside an async runtime: they start and drive one of their own.

#[rustfmt::skip]
mod generated;

pub use generated::*;

use std::future::Future;
use std::sync::Arc;

use futures_core::Stream;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::{ClientBuilder, Error, NdjsonStream};

/// A blocking client: an async [`crate::Client`] and the runtime that drives it. Cheap to
/// clone.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// Wraps a configured async client.
    pub fn from_async(inner: crate::Client) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Request {
                operation: "build",
                message: format!("cannot start a runtime: {e}"),
            })?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The async client's builder, for [`Client::login`] or [`Client::from_async`].
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        crate::Client::builder(base_url)
    }

    /// A client with a bearer token and default settings.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self, Error> {
        Client::from_async(crate::Client::new(base_url, token)?)
    }

    /// Builds the client from `builder` and logs in with a username and password.
    pub fn login(builder: ClientBuilder, username: &str, password: &str) -> Result<Self, Error> {
        let client = Client::from_async(builder.build()?)?;
        client.block_on(client.inner.login(username, password))?;
        Ok(client)
    }

    /// The server's version, asked once ([`crate::Client::server_version`]).
    pub fn server_version(&self) -> Option<String> {
        self.block_on(self.inner.server_version())
    }

    /// Whether the server is at least `release` ([`crate::Client::supports`]).
    pub fn supports(&self, release: &str) -> bool {
        self.block_on(self.inner.supports(release))
    }

    /// The async client inside, for anything not wrapped here.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Runs a future of the async API to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The lines of an NDJSON body, decoded as `T` one at a time.
    pub fn lines<T: DeserializeOwned>(
        &self,
        mut lines: NdjsonStream,
    ) -> impl Iterator<Item = Result<T, Error>> + '_ {
        std::iter::from_fn(move || self.block_on(lines.next::<T>()))
    }

    /// A stream of the async API as an iterator.
    pub fn iter<'a, T: 'a>(
        &'a self,
        stream: impl Stream<Item = Result<T, Error>> + Unpin + 'a,
    ) -> impl Iterator<Item = Result<T, Error>> + 'a {
        let mut stream = stream;
        std::iter::from_fn(move || self.block_on(stream.next()))
    }
}
