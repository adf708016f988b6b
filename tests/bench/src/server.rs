//! A loopback HTTP/1.1 server for the request benchmark: every request on every connection
//! gets the same `200 application/json` response, and connections stay open (keep-alive), so
//! the benchmark measures requests, not TCP handshakes. It keeps the head of the last request
//! it read (so both clients can be shown to send the same bytes).
//!
//! It runs as tasks on the caller's tokio runtime. On a current-thread runtime, client and
//! server then take turns on one thread: a request costs no cross-thread wake-ups, so what
//! varies between two clients is their own work, not the scheduler's. [`Server::stop`] (or
//! dropping it) ends the listener and every connection.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};

pub struct Server {
    addr: SocketAddr,
    last_head: Arc<Mutex<Vec<u8>>>,
    task: AbortHandle,
}

impl Server {
    /// Binds `127.0.0.1` on a free port and answers every request with `body`. Must be called
    /// from within a tokio runtime, which then runs the server.
    pub async fn start(body: Vec<u8>) -> Result<Server, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("binding 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("reading the bound address: {e}"))?;
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let last_head = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(listener, response.into(), last_head.clone()));
        Ok(Server {
            addr,
            last_head,
            task: task.abort_handle(),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The head (request line and headers) of the last request read, as received.
    pub fn last_head(&self) -> String {
        let head = self.last_head.lock().map(|h| h.clone()).unwrap_or_default();
        String::from_utf8_lossy(&head).into_owned()
    }

    /// Stops listening and closes every connection.
    pub fn stop(self) {}
}

impl Drop for Server {
    fn drop(&mut self) {
        // The accept task owns the connection tasks, so aborting it ends them all.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, response: Arc<[u8]>, last_head: Arc<Mutex<Vec<u8>>>) {
    let mut connections = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let response = response.clone();
        let last_head = last_head.clone();
        connections.spawn(async move {
            if let Err(e) = serve(stream, &response, &last_head).await {
                eprintln!("bench server: {e}");
            }
        });
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
}

/// Answers requests on one connection until the client closes it. Request bodies are skipped
/// by `Content-Length` (the benchmark sends none); pipelined requests are answered in order.
async fn serve(
    mut stream: TcpStream,
    response: &[u8],
    last_head: &Mutex<Vec<u8>>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let Some(end) = find(&buffer, b"\r\n\r\n") else {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
            continue;
        };
        let head_len = end + 4;
        let body_len = content_length(&buffer[..head_len]);
        while buffer.len() < head_len + body_len {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        if let Ok(mut head) = last_head.lock() {
            head.clear();
            head.extend_from_slice(&buffer[..head_len]);
        }
        buffer.drain(..head_len + body_len);
        stream.write_all(response).await?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}
