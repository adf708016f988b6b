//! A loopback HTTP/1.1 server for the request benchmark: every request on every connection
//! gets the same `200 application/json` response, and connections stay open (keep-alive), so
//! the benchmark measures requests, not TCP handshakes. It runs on its own thread and tokio
//! runtime, keeps the head of the last request it read (so both clients can be shown to send
//! the same bytes), and stops when [`Server::stop`] is called or it is dropped.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

pub struct Server {
    addr: SocketAddr,
    last_head: Arc<Mutex<Vec<u8>>>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `127.0.0.1` on a free port and answers every request with `body`.
    pub fn start(body: Vec<u8>) -> Result<Server, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("binding 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("reading the bound address: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("making the listener non-blocking: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| format!("starting the server runtime: {e}"))?;
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let response: Arc<[u8]> = response.into();
        let last_head = Arc::new(Mutex::new(Vec::new()));
        let (shutdown, stopped) = oneshot::channel();
        let heads = last_head.clone();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            eprintln!("bench server: {e}");
                            return;
                        }
                    };
                    tokio::select! {
                        _ = accept(listener, response, heads) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here ends every connection task.
            })
            .map_err(|e| format!("starting the server thread: {e}"))?;
        Ok(Server {
            addr,
            last_head,
            shutdown: Some(shutdown),
            thread: Some(thread),
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

    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

async fn accept(listener: TcpListener, response: Arc<[u8]>, last_head: Arc<Mutex<Vec<u8>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let response = response.clone();
        let last_head = last_head.clone();
        tokio::spawn(async move {
            if let Err(e) = serve(stream, &response, &last_head).await {
                eprintln!("bench server: {e}");
            }
        });
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
