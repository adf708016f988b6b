// Written by hand in the generator's templates/src/runtime/ndjson.rs, and copied here when the client is generated. Change it there, not here.

//! Newline-delimited JSON bodies, read line by line as bytes arrive.

use bytes::{Buf, Bytes, BytesMut};
use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::request::{Request, Response};
use crate::Error;

/// Where the lines come from: a body still arriving (with the request, to send again when it
/// is cut, and the attempts it took), or one that was read whole.
pub(crate) enum Source {
    Streamed(reqwest::Response, Option<(Box<Request>, u32)>),
    Whole(Bytes),
}

/// A streaming NDJSON response: each line is one JSON value.
///
/// When the connection drops mid-body and the client's [`RetryPolicy`](crate::RetryPolicy)
/// has attempts left, the request is sent again and the lines already read are skipped, so
/// each line comes once; with none left, the lines read are followed by an
/// [`Error::Incomplete`] that says how many there were. The stream never just ends short.
pub struct NdjsonStream {
    operation: &'static str,
    status: u16,
    headers: HeaderMap,
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    resend: Option<(Box<Request>, u32)>,
    /// What the current read's headers announced, and what of it arrived.
    expected: Option<u64>,
    received: u64,
    buffer: BytesMut,
    done: bool,
    /// Lines given out so far.
    lines: u64,
    /// Lines of a read begun again that were given out before the cut.
    skip: u64,
}

impl std::fmt::Debug for NdjsonStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NdjsonStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("lines", &self.lines)
            .finish_non_exhaustive()
    }
}

impl NdjsonStream {
    pub(crate) fn new(
        operation: &'static str,
        status: u16,
        headers: HeaderMap,
        source: Source,
    ) -> Self {
        let mut lines = NdjsonStream {
            operation,
            status,
            headers,
            body: stream::empty().boxed(),
            resend: None,
            expected: None,
            received: 0,
            buffer: BytesMut::new(),
            done: false,
            lines: 0,
            skip: 0,
        };
        lines.read_from(source);
        lines
    }

    fn read_from(&mut self, source: Source) {
        match source {
            Source::Streamed(answer, resend) => {
                self.expected = answer.content_length();
                self.body = answer.bytes_stream().boxed();
                self.resend = resend;
            }
            Source::Whole(bytes) => {
                self.expected = Some(bytes.len() as u64);
                self.body = stream::once(async { Ok(bytes) }).boxed();
                self.resend = None;
            }
        }
        self.received = 0;
        self.buffer.clear();
        self.done = false;
        self.skip = self.lines;
    }

    /// The response headers (continuation tokens and the like travel here).
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The next line decoded as `T`; `None` at the end of the body. Blank lines are skipped.
    pub async fn next<T: DeserializeOwned>(&mut self) -> Option<Result<T, Error>> {
        let line = self.next_line().await?;
        Some(line.and_then(|line| self.decode(&line)))
    }

    /// The next non-blank line as it was sent; `None` at the end of the body.
    pub(crate) async fn next_line(&mut self) -> Option<Result<Bytes, Error>> {
        loop {
            if let Some(line) = self.take_line() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if self.skip > 0 {
                    self.skip -= 1;
                    continue;
                }
                self.lines += 1;
                return Some(Ok(line));
            }
            if self.done {
                return None;
            }
            match self.body.next().await {
                Some(Ok(chunk)) => {
                    self.received += chunk.len() as u64;
                    self.buffer.extend_from_slice(&chunk);
                }
                Some(Err(source)) => {
                    if let Err(e) = self.resume(source).await {
                        self.done = true;
                        self.buffer.clear();
                        return Some(Err(e));
                    }
                }
                None => self.done = true,
            }
        }
    }

    /// Reads the body again after a cut, when the retry policy allows another attempt.
    async fn resume(&mut self, source: reqwest::Error) -> Result<(), Error> {
        let cut = |this: &Self, attempts| Error::Incomplete {
            operation: this.operation,
            status: this.status,
            received: this.received,
            expected: this.expected,
            lines: Some(this.lines),
            attempts,
            source,
        };
        let Some((request, attempts)) = self.resend.take() else {
            return Err(cut(self, 1));
        };
        match request.resend(attempts).await {
            None => Err(cut(self, attempts)),
            Some(Err(e)) => Err(e),
            Some(Ok(response)) if !response.is_success() => {
                Err(response.error(|_, body| super::error::untyped_body(body)))
            }
            Some(Ok(response)) => {
                self.read_from(Response::into_source(response));
                Ok(())
            }
        }
    }

    /// One line decoded as `T`.
    pub(crate) fn decode<T: DeserializeOwned>(&self, line: &[u8]) -> Result<T, Error> {
        super::request::decode_json(self.operation, self.status, line)
    }

    /// Reads the rest of the body, decoding every line.
    pub async fn collect<T: DeserializeOwned>(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }

    /// A complete line from the buffer, or the unterminated rest once the body has ended.
    fn take_line(&mut self) -> Option<bytes::Bytes> {
        if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let line = self.buffer.split_to(end).freeze();
            self.buffer.advance(1);
            return Some(line);
        }
        if self.done && !self.buffer.is_empty() {
            return Some(self.buffer.split().freeze());
        }
        None
    }
}
