// requires-uses: Pending
//! An operation's call, built and not yet sent: what every operation method returns.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::request::{ErrorDecoder, Request, Response};
use crate::Error;

/// A call of an operation, ready to send. `.await` it for the typed answer; before that, it
/// takes options for this one call, which the client's settings otherwise give:
///
/// ```no_run
/// # async fn example(call: airflow_client::Pending<String>) -> Result<(), airflow_client::Error> {
/// use std::time::Duration;
///
/// // `call` is what an operation returns: `client.task_instance().get_task_instance(..)`.
/// let reply = call
///     .timeout(Duration::from_secs(5))
///     .deadline(Duration::from_secs(20))
///     .header("x-request-id", "7f3c")
///     .with_response()
///     .await?;
/// println!("{} {:?} {}", reply.status, reply.headers.get("date"), reply.data);
/// # Ok(())
/// # }
/// ```
///
/// Nothing is sent until it is awaited (or, with feature `blocking`, waited on with
/// [`Wait::wait`](crate::blocking::Wait::wait)); a value that could not be encoded (a body that
/// does not serialise, a header that is not a header) fails the call then, unsent.
#[must_use = "a call is sent only when it is awaited"]
pub struct Pending<T> {
    pub(super) request: Request,
    pub(super) errors: ErrorDecoder,
    /// The body arrives as it is written (NDJSON), rather than read whole first.
    pub(super) streamed: bool,
    pub(super) decode: Decode<T>,
}

type Decode<T> = Box<dyn FnOnce(Response) -> Result<T, Error> + Send>;

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("operation", &self.request.operation)
            .finish_non_exhaustive()
    }
}

impl<T> Pending<T> {
    /// A call whose successful answer, read whole, `decode` turns into `T`; any other status
    /// becomes an [`Error::Api`] with a body decoded by `errors`.
    pub(crate) fn new(
        request: Request,
        errors: ErrorDecoder,
        decode: impl FnOnce(Response) -> Result<T, Error> + Send + 'static,
    ) -> Self {
        Pending {
            request,
            errors,
            streamed: false,
            decode: Box::new(decode),
        }
    }

    /// Fails an attempt of this call that takes longer than `timeout`, from sending the
    /// request to the last byte of its answer, instead of the client's
    /// [`timeout`](crate::ClientBuilder::timeout). The attempt is retried as the policy allows.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request.timeout = Some(timeout);
        self
    }

    /// Fails this call with [`Error::Deadline`] when it has no answer `deadline` after it began,
    /// retries included, instead of the client's [`deadline`](crate::ClientBuilder::deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.request.deadline = Some(deadline);
        self
    }

    /// Sends a header of your own with this call (a request id, say), in place of one of the
    /// same name the call would send. A name or value that is not a valid header fails the
    /// call, unsent, with [`Error::Request`].
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
        <HeaderName as TryFrom<K>>::Error: std::fmt::Display,
        <HeaderValue as TryFrom<V>>::Error: std::fmt::Display,
    {
        let header = HeaderName::try_from(name)
            .map_err(|e| e.to_string())
            .and_then(|name| {
                Ok((
                    name,
                    HeaderValue::try_from(value).map_err(|e| e.to_string())?,
                ))
            });
        match header {
            Ok((name, value)) => {
                self.request.extra.insert(name, value);
            }
            Err(e) => self
                .request
                .fail(format!("a header of the call is not valid: {e}")),
        }
        self
    }

    /// The typed answer together with the response's status and headers (request ids,
    /// rate limits, `Date`).
    pub fn with_response(self) -> Pending<Reply<T>>
    where
        T: 'static,
    {
        let decode = self.decode;
        Pending {
            request: self.request,
            errors: self.errors,
            streamed: self.streamed,
            decode: Box::new(move |response: Response| {
                let (status, headers) = (response.status(), response.headers().clone());
                Ok(Reply {
                    status,
                    headers,
                    data: decode(response)?,
                })
            }),
        }
    }

    /// Sends the call and decodes the answer; the same as awaiting it.
    pub async fn send(self) -> Result<T, Error> {
        let response = self.request.receive(self.errors, self.streamed).await?;
        (self.decode)(response)
    }
}

impl<T: 'static> IntoFuture for Pending<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A typed answer with the status and headers it came with: what [`Pending::with_response`] gives.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The answer, decoded.
    pub data: T,
}
