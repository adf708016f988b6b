// requires-uses: events
//! `text/event-stream` bodies (server-sent events), read event by event as they arrive.

use bytes::{Buf, Bytes, BytesMut};
use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::ndjson::Source;
use super::request::Response;
use crate::Error;

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// The `event:` field: the event's type, empty for the default (`message`).
    pub event: String,
    /// The `data:` lines, joined by newlines.
    pub data: String,
    /// The last `id:` the stream sent, in this event or an earlier one (what a client that
    /// reconnects sends as `Last-Event-ID`).
    pub id: Option<String>,
    /// The event's `retry:` field: how long, in milliseconds, the server asks a client to wait
    /// before it reconnects.
    pub retry: Option<u64>,
}

impl Event {
    /// The data decoded as JSON, as most APIs send it (some end a stream with data that is
    /// not, such as `[DONE]`: compare [`Event::data`] first).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.data)
    }
}

/// A `text/event-stream` response: [`EventStream::next`] gives each event as it arrives, so a
/// stream that stays open (a model writing its answer, a feed of changes) is read as it goes.
///
/// A body cut short is not sent again (that would start the stream over, and for a `POST`
/// make a second one): the events read are followed by an [`Error::Incomplete`] whose
/// `lines` counts them. A body that ends in the middle of an event gives that event too.
pub struct EventStream {
    operation: &'static str,
    status: u16,
    headers: HeaderMap,
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    expected: Option<u64>,
    received: u64,
    buffer: BytesMut,
    done: bool,
    events: u64,
    last_id: Option<String>,
    /// The event being read, kept here so that a `next()` dropped mid-event (a timeout)
    /// loses none of it.
    pending: Event,
    data: Option<String>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The body event by event, as it arrives (`text/event-stream`).
    pub fn events(self) -> EventStream {
        let (operation, status, headers) = (self.operation, self.status, self.headers.clone());
        let (expected, body) = match self.into_source() {
            Source::Streamed(answer, _) => (answer.content_length(), answer.bytes_stream().boxed()),
            Source::Whole(bytes) => {
                let length = Some(bytes.len() as u64);
                (length, stream::once(async { Ok(bytes) }).boxed())
            }
        };
        EventStream::new(operation, status, headers, expected, body)
    }
}

impl EventStream {
    /// The events of `body`, the answer to `operation` with `status` and `headers`.
    fn new(
        operation: &'static str,
        status: u16,
        headers: HeaderMap,
        expected: Option<u64>,
        body: BoxStream<'static, reqwest::Result<Bytes>>,
    ) -> Self {
        EventStream {
            operation,
            status,
            headers,
            body,
            expected,
            received: 0,
            buffer: BytesMut::new(),
            done: false,
            events: 0,
            last_id: None,
            pending: Event::default(),
            data: None,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The next event; `None` at the end of the body. Comments (`:` lines) and events
    /// without data are skipped, as browsers skip them.
    pub async fn next(&mut self) -> Option<Result<Event, Error>> {
        loop {
            let Some(line) = self.take_line() else {
                if self.done {
                    return self.dispatched().map(Ok);
                }
                match self.body.next().await {
                    Some(Ok(chunk)) => {
                        self.received += chunk.len() as u64;
                        self.buffer.extend_from_slice(&chunk);
                    }
                    Some(Err(source)) => return Some(Err(self.cut(source))),
                    None => self.done = true,
                }
                continue;
            };
            if line.is_empty() {
                match self.dispatched() {
                    Some(event) => return Some(Ok(event)),
                    None => continue,
                }
            }
            let line = String::from_utf8_lossy(&line);
            let (field, value) = line.split_once(':').unwrap_or((&line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            let event = &mut self.pending;
            match field {
                "data" => match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_string()),
                },
                "event" => event.event = value.to_string(),
                "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
                "retry" => event.retry = value.parse().ok().or(event.retry),
                // A comment (`: keep-alive`), or a field this client does not know.
                _ => {}
            }
        }
    }

    /// Reads the rest of the body, every event.
    pub async fn collect(mut self) -> Result<Vec<Event>, Error> {
        let mut out = Vec::new();
        while let Some(event) = self.next().await {
            out.push(event?);
        }
        Ok(out)
    }

    /// The event read so far, when it has data; either way the next one starts afresh.
    fn dispatched(&mut self) -> Option<Event> {
        let mut event = std::mem::take(&mut self.pending);
        event.data = self.data.take()?;
        event.id.clone_from(&self.last_id);
        self.events += 1;
        Some(event)
    }

    fn cut(&mut self, source: reqwest::Error) -> Error {
        self.done = true;
        self.buffer.clear();
        Error::Incomplete {
            operation: self.operation,
            status: self.status,
            received: self.received,
            expected: self.expected,
            lines: Some(self.events),
            attempts: 1,
            source,
        }
    }

    /// A complete line from the buffer (without its `\n` or `\r\n`), or the unterminated rest
    /// once the body has ended.
    fn take_line(&mut self) -> Option<Bytes> {
        let line = match self.buffer.iter().position(|b| *b == b'\n') {
            Some(end) => {
                let line = self.buffer.split_to(end).freeze();
                self.buffer.advance(1);
                line
            }
            None if self.done && !self.buffer.is_empty() => self.buffer.split().freeze(),
            None => return None,
        };
        let cr = line.ends_with(b"\r");
        Some(if cr {
            line.slice(..line.len() - 1)
        } else {
            line
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_of(chunks: &[&'static str]) -> EventStream {
        let chunks: Vec<reqwest::Result<Bytes>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        let body = stream::iter(chunks).boxed();
        EventStream::new("test", 200, HeaderMap::new(), None, body)
    }

    fn event(name: &str, data: &str, id: Option<&str>) -> Event {
        Event {
            event: name.into(),
            data: data.into(),
            id: id.map(Into::into),
            retry: None,
        }
    }

    #[tokio::test]
    async fn events_split_across_chunks_keep_their_fields() {
        let events = stream_of(&[
            ": keep-alive\n\ndata: {\"n\"",
            ": 1}\n\nevent: note\r\nid: 7\r\ndata: first\r\ndata:second\r\n\r\n",
            "event: ignored\n\nretry: 1500\ndata: [DONE]",
        ]);
        let events = events.collect().await.unwrap();
        let mut last = event("", "[DONE]", Some("7"));
        last.retry = Some(1500);
        assert_eq!(
            events,
            [
                event("", "{\"n\": 1}", None),
                event("note", "first\nsecond", Some("7")),
                last
            ]
        );
        assert_eq!(events[0].json::<serde_json::Value>().unwrap()["n"], 1);
    }

    #[tokio::test]
    async fn a_next_dropped_mid_event_loses_none_of_it() {
        use futures_util::FutureExt;
        use std::task::Poll;

        let mut polls = 0;
        let mut events = stream_of(&[]);
        events.body = stream::poll_fn(move |_| {
            polls += 1;
            match polls {
                1 => Poll::Ready(Some(Ok(Bytes::from_static(b"event: note\ndata: first\n")))),
                2 => Poll::Pending,
                3 => Poll::Ready(Some(Ok(Bytes::from_static(b"data: second\n\n")))),
                _ => Poll::Ready(None),
            }
        })
        .boxed();
        // The first call reads half an event, then waits and is dropped, as a timeout drops it.
        assert!(events.next().now_or_never().is_none());
        let event = events.next().await.unwrap().unwrap();
        assert_eq!(
            (event.event.as_str(), event.data.as_str()),
            ("note", "first\nsecond")
        );
    }
}
