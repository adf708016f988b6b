// Written by hand in the generator's templates/src/blocking.rs, and copied here when the client is generated. Change it there, not here.

//! The API without an async runtime (feature `blocking`): where async code writes `.await`,
//! blocking code writes `.wait()`, and a stream becomes an iterator with `.wait_iter()`. The
//! methods, their options and their errors are the async API's own.
//!
//! ```no_run
//! # fn example() -> Result<(), airflow_client::Error> {
//! use airflow_client::blocking::Wait;
//! use airflow_client::{reqwest::Method, serde_json, Client};
//!
//! let client = Client::builder("http://localhost:8080").login("admin", "admin").wait()?;
//! println!("server {:?}", client.server_version().wait());
//! let version: serde_json::Value = client.call(Method::GET, "/api/v2/version").send().wait()?;
//! # let _ = version;
//! # Ok(())
//! # }
//! ```
//!
//! The crate's guide shows a paged list read with `wait_iter`.
//!
//! Do not wait from inside an async runtime (tokio refuses to block one of its threads, and
//! panics saying so): there, `.await`. The calls run on a runtime of the crate's own, started
//! on the first `wait` and shared by every client, with one thread that keeps pooled
//! connections alive between calls.

use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::OnceLock;

use futures_core::Stream;
use futures_util::StreamExt;

/// The runtime every `wait` runs on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(env!("CARGO_PKG_NAME"))
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the blocking API's runtime: {e}"))
    })
}

/// `.wait()`: what `.await` does, for code without an async runtime.
pub trait Wait: IntoFuture + Sized {
    /// Runs the call (or any future of this crate) to its end, blocking the thread.
    fn wait(self) -> Self::Output {
        runtime().block_on(self.into_future())
    }
}

impl<F: IntoFuture> Wait for F {}

/// `.wait_iter()`: a stream of this crate (a `_stream` list, a followed log) as an iterator.
pub trait WaitIter: Stream + Sized {
    /// The stream's items, each waited for in turn.
    fn wait_iter(self) -> Iter<Self> {
        Iter {
            stream: Box::pin(self),
        }
    }
}

impl<S: Stream> WaitIter for S {}

/// A stream as an iterator, made by [`WaitIter::wait_iter`].
pub struct Iter<S> {
    stream: Pin<Box<S>>,
}

impl<S> Iter<S> {
    /// The stream, to ask it where to resume after an error
    /// (`iter.stream().resume_from()` for a paged list).
    pub fn stream(&self) -> &S {
        &self.stream
    }
}

impl<S> std::fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Iter").finish_non_exhaustive()
    }
}

impl<S: Stream> Iterator for Iter<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        runtime().block_on(self.stream.next())
    }
}
