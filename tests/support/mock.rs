//! A loopback HTTP/1.1 server for wire tests. It records every request as it arrived (the
//! request target is never decoded or normalised) and answers each with the next queued
//! [`Reply`], one connection per request (or, once the queue is empty, with what its
//! [`MockServer::answer_with`] handler makes of the request). Requests are served one at a
//! time, so replies go out in the order requests arrive. Dropping the server stops it.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as received. The body is read by `Content-Length` (no chunked requests).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub method: String,
    /// Path and query string byte-for-byte, e.g. `/a%20b?x=1&x=2`.
    pub target: String,
    /// Headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// Every value of a header (names compare case-insensitively).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        let named = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        named.map(|(_, v)| v.as_str()).collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).first().copied()
    }

    /// The body as JSON; panics with the body text when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// A canned response: status, headers and body (framed with `Content-Length` unless a
/// `Transfer-Encoding` header is set), or raw bytes sent verbatim.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    cut_body_at: Option<usize>,
    raw: Option<Vec<u8>>,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }

    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::status(status).body("application/json", body.to_string())
    }

    /// Exactly these bytes (status line, headers, body), then the connection closes.
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Reply {
        Reply {
            raw: Some(bytes.into()),
            ..Reply::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self.header("content-type", content_type)
    }

    /// Announces the whole body but sends only its first `len` bytes, then closes the
    /// connection: a connection that drops mid-body.
    pub fn cut_body_at(mut self, len: usize) -> Reply {
        self.cut_body_at = Some(len);
        self
    }

    fn wire(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut head = format!("HTTP/1.1 {} \r\nconnection: close\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
        {
            head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        let sent = self.cut_body_at.unwrap_or(usize::MAX).min(self.body.len());
        [format!("{head}\r\n").as_bytes(), &self.body[..sent]].concat()
    }
}

/// Makes the answer to a request when no reply is queued.
type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Default)]
struct State {
    replies: VecDeque<Reply>,
    requests: Vec<Recorded>,
    handler: Option<Handler>,
}

/// Listens on `127.0.0.1` on a free port until dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl MockServer {
    pub async fn start() -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let state = Arc::<Mutex<State>>::default();
        let task = tokio::spawn(serve(listener, state.clone()));
        MockServer { addr, state, task }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues the answer to a later request.
    pub fn reply(&self, reply: Reply) {
        self.state.lock().unwrap().replies.push_back(reply);
    }

    /// Answers every request that finds the queue empty with `handler(request)`: a server
    /// that serves whatever it is asked, however often.
    pub fn answer_with(&self, handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) {
        self.state.lock().unwrap().handler = Some(Arc::new(handler));
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    while let Ok((stream, _)) = listener.accept().await {
        if let Err(e) = answer(stream, &state).await {
            eprintln!("mock server: {e}");
        }
    }
}

/// Records one request and writes the next queued reply (a 500 saying so when none is).
async fn answer(mut stream: TcpStream, state: &Mutex<State>) -> io::Result<()> {
    let request = read_request(&mut stream).await?;
    let (reply, handler) = {
        let mut state = state.lock().unwrap();
        state.requests.push(request.clone());
        (state.replies.pop_front(), state.handler.clone())
    };
    let reply = reply
        .or_else(|| handler.map(|answer| answer(&request)))
        .unwrap_or_else(|| Reply::status(500).body("text/plain", "no reply queued"));
    stream.write_all(&reply.wire()).await?;
    stream.shutdown().await
}

async fn read_request(stream: &mut TcpStream) -> io::Result<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut words = line.split_whitespace().map(str::to_string);
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        match line.trim_end().split_once(':') {
            Some((name, value)) => headers.push((name.into(), value.trim().into())),
            None => break,
        }
    }
    let mut request = Recorded {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let length = request.header("content-length").map_or(Ok(0), str::parse);
    request.body = vec![0; length.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?];
    reader.read_exact(&mut request.body).await?;
    Ok(request)
}
