//! The same API for callers without an async runtime (feature `blocking`): every method
//! blocks until the answer is in, streams become iterators.
//!
//! ```no_run
//! # fn example() -> Result<(), airflow_client::Error> {
//! let client = airflow_client::blocking::Client::new("http://localhost:8080", "my-token")?;
//! # let _ = client;
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
