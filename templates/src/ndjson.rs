//! Newline-delimited JSON bodies, read line by line as bytes arrive.

use bytes::{Buf, BytesMut};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::Error;

/// A streaming NDJSON response: each line is one JSON value.
pub struct NdjsonStream {
    operation: &'static str,
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: BytesMut,
    done: bool,
}

impl std::fmt::Debug for NdjsonStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NdjsonStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl NdjsonStream {
    pub(crate) fn new(operation: &'static str, response: reqwest::Response) -> Self {
        NdjsonStream {
            operation,
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes_stream().boxed(),
            buffer: BytesMut::new(),
            done: false,
        }
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
    pub(crate) async fn next_line(&mut self) -> Option<Result<bytes::Bytes, Error>> {
        loop {
            if let Some(line) = self.take_line() {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(Ok(line));
            }
            if self.done {
                return None;
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.extend_from_slice(&chunk),
                Some(Err(source)) => {
                    self.done = true;
                    return Some(Err(Error::Transport {
                        operation: self.operation,
                        source,
                    }));
                }
                None => self.done = true,
            }
        }
    }

    /// One line decoded as `T`.
    pub(crate) fn decode<T: DeserializeOwned>(&self, line: &[u8]) -> Result<T, Error> {
        serde_json::from_slice(line).map_err(|source| Error::Decode {
            operation: self.operation,
            status: self.status,
            body: String::from_utf8_lossy(line).into_owned(),
            source,
        })
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
