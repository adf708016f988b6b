//! A fault-injecting HTTP/1.1 reverse proxy for wire and end-to-end tests of retries, stream
//! resumption and log following. It sits between a client and a server (the [`MockServer`] or a
//! real Airflow), forwards every request, and spoils a seeded share of those whose target
//! starts with a prefix: a 503, a dropped connection, a body cut in half, or a delay. The same
//! seed spoils the same requests (counted in arrival order), so a failing run replays; the seed
//! is in the proxy's `Debug` output for the failure message to name.
//!
//! Client connections are kept alive across requests; each request gets its own upstream
//! connection, and upstream responses are read whole before they are passed on.
//!
//! [`MockServer`]: crate::mock::MockServer

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// What happens to a spoiled request.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Not forwarded; answered `503` with `Retry-After: 0` and `{"detail":"injected"}`.
    Unavailable,
    /// Read, not forwarded, and the connection closed without an answer. The close is an
    /// orderly one (FIN, not a TCP RST); clients see it as a connection closed mid-message.
    Reset,
    /// Forwarded; the status line and headers come back (framing as upstream sent it) but only
    /// the first half of the body bytes, then the connection closes. An empty body cannot be
    /// cut, so the client sees a complete answer.
    CutBody,
    /// Forwarded after this wait.
    Delay(Duration),
}

/// Which requests are spoiled, and how.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Share of matching requests that get a fault, `0.0..=1.0`.
    pub rate: f64,
    /// A spoiled request gets one of these, chosen uniformly.
    pub faults: Vec<Fault>,
    /// Only requests whose target starts with this are considered.
    pub prefix: String,
    pub seed: u64,
    /// When set, replaces the dice: the n-th matching request gets the n-th entry, later
    /// ones none.
    pub script: Option<Vec<Option<Fault>>>,
}

impl FaultPlan {
    /// A third of `/api/v2` requests spoiled, by any of the four faults (delays of 1.5 s).
    pub fn new(seed: u64) -> FaultPlan {
        FaultPlan {
            rate: 1.0 / 3.0,
            faults: vec![
                Fault::Unavailable,
                Fault::Reset,
                Fault::CutBody,
                Fault::Delay(Duration::from_millis(1500)),
            ],
            prefix: "/api/v2".into(),
            seed,
            script: None,
        }
    }

    /// Exactly these faults for the first matching requests, in order; none afterwards.
    pub fn script(faults: Vec<Option<Fault>>) -> FaultPlan {
        FaultPlan {
            script: Some(faults),
            ..FaultPlan::new(0)
        }
    }

    pub fn rate(mut self, rate: f64) -> FaultPlan {
        self.rate = rate;
        self
    }

    pub fn faults(mut self, faults: Vec<Fault>) -> FaultPlan {
        self.faults = faults;
        self
    }

    pub fn prefix(mut self, prefix: impl Into<String>) -> FaultPlan {
        self.prefix = prefix.into();
        self
    }
}

/// Listens on `127.0.0.1` on a free port until dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Proxies to `upstream`, an `http://host:port` URL without a path.
    pub async fn start(upstream: &str, plan: FaultPlan) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(Shared {
            upstream: authority(upstream),
            state: Mutex::new(State::new(plan)),
        });
        let task = tokio::spawn(accept(listener, shared.clone()));
        FaultProxy { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Method, target and fault of every spoiled request, in arrival order.
    pub fn injected(&self) -> Vec<(String, String, Fault)> {
        self.shared.state.lock().unwrap().injected.clone()
    }

    /// How many requests were passed on upstream (delayed and cut ones included, and any that
    /// found upstream unreachable and were answered `502`).
    pub fn forwarded(&self) -> usize {
        self.shared.state.lock().unwrap().forwarded
    }
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.state.lock().unwrap();
        f.debug_struct("FaultProxy")
            .field("seed", &state.plan.seed)
            .field("url", &self.url())
            .field("upstream", &self.shared.upstream)
            .field("plan", &state.plan)
            .field("injected", &state.injected)
            .field("forwarded", &state.forwarded)
            .finish()
    }
}

impl Drop for FaultProxy {
    /// The accept task owns the connection tasks, so aborting it ends them too.
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    /// `host:port` to connect to.
    upstream: String,
    state: Mutex<State>,
}

struct State {
    plan: FaultPlan,
    rng: u64,
    matched: usize,
    injected: Vec<(String, String, Fault)>,
    forwarded: usize,
}

impl State {
    fn new(plan: FaultPlan) -> State {
        State {
            rng: plan.seed,
            plan,
            matched: 0,
            injected: Vec::new(),
            forwarded: 0,
        }
    }

    /// The fault for the next matching request. Both dice are always rolled, so the n-th
    /// decision depends only on the seed and n, not on the rate or the list of faults.
    fn decide(&mut self) -> Option<Fault> {
        let n = self.matched;
        self.matched += 1;
        if let Some(script) = &self.plan.script {
            return script.get(n).cloned().flatten();
        }
        let roll = unit(splitmix64(&mut self.rng));
        let pick = splitmix64(&mut self.rng);
        if roll >= self.plan.rate || self.plan.faults.is_empty() {
            return None;
        }
        let index = (pick % self.plan.faults.len() as u64) as usize;
        Some(self.plan.faults[index].clone())
    }
}

/// SplitMix64: tiny, and every seed (zero too) gives a good sequence.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform float in `0.0..1.0` from the top 53 bits.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

fn authority(upstream: &str) -> String {
    let rest = upstream
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("upstream must be an http:// URL, not {upstream}"));
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    // Targets are forwarded as they arrive, so a base path would be silently dropped.
    assert!(path.is_empty(), "upstream must have no path: {upstream}");
    if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, shared.clone()));
                }
                Err(e) => eprintln!("fault proxy: accept: {e}"),
            },
            // Reaps finished connections so the set does not grow for the proxy's lifetime.
            Some(_) = connections.join_next() => {}
        }
    }
}

/// Answers the requests on one client connection until either side closes it.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut client = BufReader::new(stream);
    if let Err(e) = serve_requests(&mut client, &shared).await {
        eprintln!("fault proxy: {e}");
    }
    let _ = client.get_mut().shutdown().await;
}

async fn serve_requests(client: &mut BufReader<TcpStream>, shared: &Shared) -> io::Result<()> {
    while let Some(request) = read_request(client).await? {
        if !exchange(shared, &request, client.get_mut()).await? {
            break;
        }
    }
    Ok(())
}

/// Answers one request, spoiled or not; says whether the connection stays open.
async fn exchange(shared: &Shared, request: &Request, client: &mut TcpStream) -> io::Result<bool> {
    let fault = shared.decide(request);
    let keep_open = !request.wants_close();
    match fault {
        Some(Fault::Reset) => return Ok(false),
        Some(Fault::Unavailable) => {
            client.write_all(&unavailable(keep_open)).await?;
            return Ok(keep_open);
        }
        Some(Fault::Delay(wait)) => tokio::time::sleep(wait).await,
        Some(Fault::CutBody) | None => {}
    }
    shared.state.lock().unwrap().forwarded += 1;
    let response = match forward(&shared.upstream, request).await {
        Ok(response) => response,
        Err(e) => Response::bad_gateway(&shared.upstream, &e),
    };
    let cut = fault == Some(Fault::CutBody);
    client.write_all(&response.wire(keep_open, cut)).await?;
    Ok(keep_open && response.complete && !cut)
}

impl Shared {
    /// One decision per matching request, taken under the lock so arrival order decides.
    fn decide(&self, request: &Request) -> Option<Fault> {
        let mut state = self.state.lock().unwrap();
        if !request.target().starts_with(&state.plan.prefix) {
            return None;
        }
        let fault = state.decide()?;
        let record = (
            request.method().into(),
            request.target().into(),
            fault.clone(),
        );
        state.injected.push(record);
        Some(fault)
    }
}

fn unavailable(keep_open: bool) -> Vec<u8> {
    let body = r#"{"detail":"injected"}"#;
    let close = if keep_open {
        ""
    } else {
        "connection: close\r\n"
    };
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nretry-after: 0\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n{close}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends the request on a fresh connection and reads the whole answer. An answer that breaks
/// off mid-body is returned as far as it came, marked incomplete, so the client sees the same.
async fn forward(upstream: &str, request: &Request) -> io::Result<Response> {
    let mut stream = TcpStream::connect(upstream).await?;
    // One request per upstream connection: `connection: close` lets a body without framing
    // end at EOF, and no upstream connection outlives its request.
    let head = request
        .head
        .wire(&["connection", "keep-alive"], &["connection: close"]);
    stream
        .write_all(&[head, request.body.clone()].concat())
        .await?;
    let mut upstream = BufReader::new(stream);
    let head = read_head(&mut upstream)
        .await?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no answer upstream"))?;
    let framing = response_framing(&head, request.method());
    let mut body = Vec::new();
    let complete = match read_body(&mut upstream, framing, &mut body).await {
        Ok(()) => true,
        Err(e) => {
            eprintln!("fault proxy: upstream body for {}: {e}", request.head.start);
            false
        }
    };
    Ok(Response {
        head,
        framing,
        body,
        complete,
    })
}

/// A request or status line and its header lines, without line ends.
#[derive(Debug)]
struct Head {
    start: String,
    lines: Vec<String>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.lines.iter().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Whether a comma-separated header such as `Connection` lists `token`.
    fn lists(&self, name: &str, token: &str) -> bool {
        self.header(name)
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// The head on the wire without the `drop`ped headers and with `extra` ones appended.
    fn wire(&self, drop: &[&str], extra: &[&str]) -> Vec<u8> {
        let dropped = |line: &&String| {
            let name = line.split_once(':').map_or("", |(n, _)| n.trim());
            drop.iter().any(|d| d.eq_ignore_ascii_case(name))
        };
        let kept = self
            .lines
            .iter()
            .filter(|l| !dropped(l))
            .map(String::as_str);
        let lines: Vec<&str> = std::iter::once(self.start.as_str())
            .chain(kept)
            .chain(extra.iter().copied())
            .collect();
        format!("{}\r\n\r\n", lines.join("\r\n")).into_bytes()
    }
}

/// Reads a head; `None` when the stream ends before its first byte (an idle keep-alive
/// connection closing).
async fn read_head<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Head>> {
    let mut start = String::new();
    // Stray line ends before a request line are allowed (RFC 9112, section 2.2).
    while start.trim_end().is_empty() {
        start.clear();
        if read_line(reader, &mut start).await? == 0 {
            return Ok(None);
        }
    }
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if read_line(reader, &mut line).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        match line.trim_end() {
            "" => break,
            line => lines.push(line.to_string()),
        }
    }
    let start = start.trim_end().to_string();
    Ok(Some(Head { start, lines }))
}

/// One line, bytes that are not UTF-8 replaced rather than refused.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut String,
) -> io::Result<usize> {
    let mut bytes = Vec::new();
    let n = reader.read_until(b'\n', &mut bytes).await?;
    line.push_str(&String::from_utf8_lossy(&bytes));
    Ok(n)
}

/// Where a message body ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
    Eof,
}

fn body_framing(head: &Head) -> io::Result<Framing> {
    if head.lists("transfer-encoding", "chunked") {
        return Ok(Framing::Chunked);
    }
    match head.header("content-length") {
        Some(length) => length
            .parse()
            .map(Framing::Length)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        None => Ok(Framing::Eof),
    }
}

fn response_framing(head: &Head, method: &str) -> Framing {
    let status = head.start.split_whitespace().nth(1).unwrap_or_default();
    let bodiless = method.eq_ignore_ascii_case("HEAD")
        || status.starts_with('1')
        || status == "204"
        || status == "304";
    if bodiless {
        return Framing::Empty;
    }
    // A length that does not parse leaves only the end of the stream to go by.
    body_framing(head).unwrap_or(Framing::Eof)
}

/// Appends the body's bytes as they are on the wire (chunk framing included) to `body`.
async fn read_body<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    framing: Framing,
    body: &mut Vec<u8>,
) -> io::Result<()> {
    match framing {
        Framing::Empty => Ok(()),
        Framing::Length(length) => {
            let read = reader.take(length as u64).read_to_end(body).await?;
            if read < length {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            Ok(())
        }
        Framing::Chunked => read_chunks(reader, body).await,
        Framing::Eof => reader.read_to_end(body).await.map(drop),
    }
}

/// Reads chunks up to and including the last one's trailer section.
async fn read_chunks<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    body: &mut Vec<u8>,
) -> io::Result<()> {
    loop {
        let size_line = raw_line(reader, body).await?;
        let size = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if size == 0 {
            while !raw_line(reader, body).await?.trim().is_empty() {}
            return Ok(());
        }
        let wanted = size + 2; // the chunk and its CRLF
        if reader.take(wanted as u64).read_to_end(body).await? < wanted {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// Reads a line into `body` and returns it as text; the stream ending first is an error.
async fn raw_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    body: &mut Vec<u8>,
) -> io::Result<String> {
    let from = body.len();
    if reader.read_until(b'\n', body).await? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(String::from_utf8_lossy(&body[from..]).into_owned())
}

struct Request {
    head: Head,
    /// As received, chunk framing included.
    body: Vec<u8>,
}

impl Request {
    fn method(&self) -> &str {
        self.head
            .start
            .split_whitespace()
            .next()
            .unwrap_or_default()
    }

    fn target(&self) -> &str {
        self.head
            .start
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
    }

    /// HTTP/1.0 closes unless asked not to; HTTP/1.1 stays open unless asked to close.
    fn wants_close(&self) -> bool {
        if self.head.start.ends_with("HTTP/1.0") {
            return !self.head.lists("connection", "keep-alive");
        }
        self.head.lists("connection", "close")
    }
}

async fn read_request<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Request>> {
    let Some(head) = read_head(reader).await? else {
        return Ok(None);
    };
    // Without a length or chunking a request has no body, unlike a response.
    let framing = match body_framing(&head)? {
        Framing::Eof => Framing::Empty,
        framing => framing,
    };
    let mut body = Vec::new();
    read_body(reader, framing, &mut body).await?;
    Ok(Some(Request { head, body }))
}

struct Response {
    head: Head,
    framing: Framing,
    body: Vec<u8>,
    complete: bool,
}

impl Response {
    fn bad_gateway(upstream: &str, error: &io::Error) -> Response {
        let body = format!("fault proxy: upstream {upstream}: {error}").into_bytes();
        let lines = vec![
            "content-type: text/plain".into(),
            format!("content-length: {}", body.len()),
        ];
        Response {
            head: Head {
                start: "HTTP/1.1 502 Bad Gateway".into(),
                lines,
            },
            framing: Framing::Length(body.len()),
            body,
            complete: true,
        }
    }

    /// The answer for the client. Upstream's `connection: close` is ours, not the client's;
    /// a body that ran to EOF gets a length so the client connection can stay open and a cut
    /// is noticed.
    fn wire(&self, keep_open: bool, cut: bool) -> Vec<u8> {
        let length = format!("content-length: {}", self.body.len());
        let mut extra = Vec::new();
        if self.framing == Framing::Eof && self.complete {
            extra.push(length.as_str());
        }
        if !keep_open || !self.complete || cut {
            extra.push("connection: close");
        }
        let head = self.head.wire(&["connection", "keep-alive"], &extra);
        let sent = if cut {
            self.body.len() / 2
        } else {
            self.body.len()
        };
        [head.as_slice(), &self.body[..sent]].concat()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::json;

    use super::*;
    use crate::mock::{MockServer, Reply};

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client")
    }

    async fn proxied(plan: FaultPlan) -> (MockServer, FaultProxy) {
        let mock = MockServer::start().await;
        let proxy = FaultProxy::start(&mock.url(), plan).await;
        (mock, proxy)
    }

    fn injected(method: &str, target: &str, fault: Fault) -> (String, String, Fault) {
        (method.into(), target.into(), fault)
    }

    /// Reads one answer off a raw client connection.
    async fn answer(conn: &mut BufReader<TcpStream>) -> (Head, String) {
        let head = read_head(conn).await.expect("head").expect("an answer");
        let mut body = Vec::new();
        let framing = response_framing(&head, "GET");
        read_body(conn, framing, &mut body).await.expect("body");
        (head, String::from_utf8(body).expect("text"))
    }

    #[tokio::test]
    async fn passes_requests_through_unchanged() {
        let (mock, proxy) = proxied(FaultPlan::new(1).rate(0.0)).await;
        mock.reply(Reply::json(201, &json!({"ok": true})).header("x-upstream", "yes"));

        let response = client()
            .post(format!("{}/api/v2/dags/a%20b?x=1&x=2", proxy.url()))
            .header("x-test", "blue")
            .body(r#"{"a":1}"#)
            .send()
            .await
            .expect("answered");

        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["x-upstream"], "yes");
        assert_eq!(response.text().await.unwrap(), r#"{"ok":true}"#);
        let got = &mock.requests()[0];
        assert_eq!(got.method, "POST");
        assert_eq!(got.target, "/api/v2/dags/a%20b?x=1&x=2");
        assert_eq!(got.body, br#"{"a":1}"#);
        assert_eq!(got.header("x-test"), Some("blue"));
        assert_eq!(got.header_values("connection"), ["close"]);
        assert_eq!((proxy.forwarded(), proxy.injected()), (1, vec![]));
    }

    #[tokio::test]
    async fn unavailable_is_a_503_that_may_be_retried_at_once() {
        let (mock, proxy) = proxied(FaultPlan::script(vec![Some(Fault::Unavailable)])).await;
        mock.reply(Reply::json(200, &json!({"version": "3.1.0"})));
        let (client, url) = (client(), format!("{}/api/v2/version", proxy.url()));

        let response = client.get(&url).send().await.expect("answered");
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "0");
        assert_eq!(response.text().await.unwrap(), r#"{"detail":"injected"}"#);
        assert!(mock.requests().is_empty(), "not forwarded");

        let again = client.get(&url).send().await.expect("answered");
        assert_eq!(again.status(), 200, "the script is over");
        let expected = injected("GET", "/api/v2/version", Fault::Unavailable);
        assert_eq!((proxy.injected(), proxy.forwarded()), (vec![expected], 1));
    }

    #[tokio::test]
    async fn reset_closes_without_an_answer() {
        let (mock, proxy) = proxied(FaultPlan::script(vec![Some(Fault::Reset)])).await;
        let (client, url) = (client(), format!("{}/api/v2/version", proxy.url()));

        let error = client.get(&url).send().await.expect_err("no answer");
        assert!(!error.is_timeout(), "{error:?}");
        assert!(mock.requests().is_empty(), "not forwarded");

        mock.reply(Reply::status(204));
        let again = client.get(&url).send().await.expect("answered");
        assert_eq!(again.status(), 204);
    }

    #[tokio::test]
    async fn cut_body_keeps_the_headers_and_half_the_body() {
        let (mock, proxy) = proxied(FaultPlan::script(vec![Some(Fault::CutBody)])).await;
        mock.reply(Reply::status(200).body("text/plain", "x".repeat(1000)));

        let url = format!("{}/api/v2/logs", proxy.url());
        let response = client().get(url).send().await.expect("headers arrive");
        assert_eq!(response.status(), 200);
        assert_eq!(response.content_length(), Some(1000));
        let error = response.bytes().await.expect_err("the body is cut");
        assert!(error.is_body() || error.is_decode(), "{error:?}");
        assert_eq!(mock.requests().len(), 1, "forwarded");
    }

    #[tokio::test]
    async fn chunked_answers_pass_whole_and_cut() {
        let script = vec![None, Some(Fault::CutBody)];
        let (mock, proxy) = proxied(FaultPlan::script(script)).await;
        for _ in 0..2 {
            let chunked = Reply::status(200).header("transfer-encoding", "chunked");
            mock.reply(chunked.body(
                "application/x-ndjson",
                "6\r\n{\"a\"}\n\r\n6\r\n{\"b\"}\n\r\n0\r\n\r\n",
            ));
        }
        let (client, url) = (client(), format!("{}/api/v2/logs", proxy.url()));

        let whole = client.get(&url).send().await.expect("answered");
        assert_eq!(whole.text().await.unwrap(), "{\"a\"}\n{\"b\"}\n");
        let cut = client.get(&url).send().await.expect("headers arrive");
        cut.bytes().await.expect_err("the body is cut");
    }

    #[tokio::test]
    async fn a_body_ending_at_eof_gets_a_length() {
        let (mock, proxy) = proxied(FaultPlan::new(0).rate(0.0)).await;
        mock.reply(Reply::raw(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nto the end",
        ));

        let response = client().get(proxy.url()).send().await.expect("answered");
        assert_eq!(response.content_length(), Some(10));
        assert_eq!(response.text().await.unwrap(), "to the end");
    }

    #[tokio::test]
    async fn delay_answers_late() {
        let wait = Duration::from_millis(300);
        let (mock, proxy) = proxied(FaultPlan::script(vec![Some(Fault::Delay(wait))])).await;
        mock.reply(Reply::status(204));

        let started = Instant::now();
        let response = client()
            .get(format!("{}/api/v2/x", proxy.url()))
            .send()
            .await;
        assert_eq!(response.expect("answered").status(), 204);
        assert!(started.elapsed() >= wait);
    }

    #[tokio::test]
    async fn only_targets_under_the_prefix_are_spoiled() {
        let (mock, proxy) = proxied(FaultPlan::script(vec![Some(Fault::Reset)])).await;
        mock.reply(Reply::status(204));
        let client = client();

        let health = client.get(format!("{}/health", proxy.url())).send().await;
        assert_eq!(health.expect("answered").status(), 204);
        let api = client.get(format!("{}/api/v2/x", proxy.url())).send().await;
        api.expect_err("reset");
        let expected = injected("GET", "/api/v2/x", Fault::Reset);
        assert_eq!(proxy.injected(), [expected]);
    }

    /// What a proxy seeded with `seed` does to two dozen requests, one after the other.
    async fn decisions(seed: u64) -> Vec<(String, String, Fault)> {
        let faults = vec![
            Fault::Unavailable,
            Fault::Reset,
            Fault::CutBody,
            Fault::Delay(Duration::from_millis(1)),
        ];
        let (_mock, proxy) = proxied(FaultPlan::new(seed).rate(0.5).faults(faults)).await;
        let client = client();
        for i in 0..24 {
            let url = format!("{}/api/v2/n/{i}", proxy.url());
            let outcome = async { client.get(url).send().await?.bytes().await };
            let _ = outcome.await;
        }
        proxy.injected()
    }

    #[tokio::test]
    async fn the_same_seed_spoils_the_same_requests() {
        let (first, second, other) = (
            decisions(42).await,
            decisions(42).await,
            decisions(43).await,
        );

        assert_eq!(first, second);
        assert_ne!(first, other, "the seed matters");
        assert!(!first.is_empty() && first.len() < 24, "{first:?}");
    }

    #[test]
    fn the_dice_follow_the_rate_and_use_every_fault() {
        let mut state = State::new(FaultPlan::new(7));
        let drawn: Vec<Fault> = (0..3000).filter_map(|_| state.decide()).collect();

        let share = drawn.len() as f64 / 3000.0;
        assert!((0.3..0.37).contains(&share), "{share}");
        for fault in FaultPlan::new(0).faults {
            assert!(drawn.contains(&fault), "{fault:?} never drawn");
        }
    }

    #[tokio::test]
    async fn debug_names_the_seed() {
        let (_mock, proxy) = proxied(FaultPlan::new(1234)).await;
        assert!(format!("{proxy:?}").contains("seed: 1234"), "{proxy:?}");
    }

    #[tokio::test]
    async fn one_client_connection_carries_many_requests() {
        let (mock, proxy) = proxied(FaultPlan::new(3).rate(0.0)).await;
        for n in 1..=3 {
            mock.reply(Reply::json(200, &json!(n)));
        }
        let mut conn = BufReader::new(TcpStream::connect(proxy.addr).await.unwrap());

        let one = b"GET /api/v2/one HTTP/1.1\r\nhost: x\r\n\r\n";
        conn.get_mut().write_all(one).await.unwrap();
        let (head, body) = answer(&mut conn).await;
        assert_eq!((head.header("connection"), body.as_str()), (None, "1"));
        // Pipelined: the second request is already waiting while the first is answered.
        let two_three = b"POST /api/v2/two HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc\
                          GET /three HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
        conn.get_mut().write_all(two_three).await.unwrap();
        assert_eq!(answer(&mut conn).await.1, "2");
        let (head, body) = answer(&mut conn).await;
        assert_eq!(
            (head.header("connection"), body.as_str()),
            (Some("close"), "3")
        );
        assert!(
            read_head(&mut conn).await.unwrap().is_none(),
            "closed as asked"
        );

        let requests = mock.requests();
        let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(targets, ["/api/v2/one", "/api/v2/two", "/three"]);
        assert_eq!(requests[1].body, b"abc");
    }

    #[tokio::test]
    async fn chunked_requests_are_read_to_their_end() {
        let wire = b"POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n\
                     GET /b HTTP/1.1\r\n\r\n";
        let mut reader = &wire[..];

        let first = read_request(&mut reader).await.unwrap().expect("a request");
        assert_eq!(first.body, b"3\r\nabc\r\n0\r\n\r\n");
        let second = read_request(&mut reader).await.unwrap().expect("a request");
        assert_eq!((second.method(), second.target()), ("GET", "/b"));
        assert!(read_request(&mut reader).await.unwrap().is_none());
    }
}
