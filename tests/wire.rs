//! Wire tests: every operation of `TaskInstanceApi` against a loopback mock server, checking
//! the request as raw bytes (method, percent-encoded path, query string, headers, JSON body)
//! and the decoding of realistic responses and error bodies.
//!
//! The ids are chosen to need encoding: the run id carries `:` and `+`, the task id a space,
//! the task group id a `/`.

// The modules live in tests/wire/ (a test crate root would look for them in tests/).
#[path = "wire/auth.rs"]
mod auth;
#[path = "wire/calls.rs"]
mod calls;
#[path = "wire/errors.rs"]
mod errors;
#[path = "wire/features.rs"]
mod features;
#[path = "wire/fixtures.rs"]
mod fixtures;
#[path = "wire/hitl.rs"]
mod hitl;
#[path = "wire/logs.rs"]
mod logs;
#[path = "wire/models.rs"]
mod models;
#[path = "wire/network.rs"]
mod network;
#[path = "wire/paths.rs"]
mod paths;
#[path = "wire/reads.rs"]
mod reads;
#[path = "wire/releases.rs"]
mod releases;
#[path = "wire/runtime.rs"]
mod runtime;
#[path = "wire/streams.rs"]
mod streams;
#[path = "wire/transport.rs"]
mod transport;
#[path = "wire/writes.rs"]
mod writes;

use airflow_client::{Client, TaskInstanceApi};
use airflow_codegen_tests::mock::{MockServer, Recorded, Reply};
use chrono::{DateTime, Utc};
use serde_json::json;

const TOKEN: &str = "eyJhbGciOiJIUzUxMiJ9.test-token";
const DAG: &str = "etl_daily";
const RUN: &str = "manual__2024-01-01T00:00:00+00:00";
const TASK: &str = "extract data";
const GROUP: &str = "load/transform";

/// `/api/v2/dags/etl_daily/dagRuns/RUN`, the run id as it must travel.
const RUN_PATH: &str = "/api/v2/dags/etl_daily/dagRuns/manual__2024-01-01T00%3A00%3A00%2B00%3A00";

/// The task instance path of [`TASK`] in [`RUN`], then `rest`.
fn ti_path(rest: &str) -> String {
    format!("{RUN_PATH}/taskInstances/extract%20data{rest}")
}

/// A server answering with `replies` in order, and a client for it.
async fn serve(replies: impl IntoIterator<Item = Reply>) -> (MockServer, TaskInstanceApi) {
    let server = MockServer::start().await;
    for reply in replies {
        server.reply(reply);
    }
    let client = Client::new(server.url(), TOKEN).expect("a loopback URL is valid");
    (server, client.task_instance())
}

/// A server answering once with `status` and the JSON `body`.
async fn serve_json(status: u16, body: serde_json::Value) -> (MockServer, TaskInstanceApi) {
    serve([Reply::json(status, &body)]).await
}

/// The server's answer to the version check.
fn version(version: &str) -> Reply {
    Reply::json(200, &json!({"version": version, "git_version": null}))
}

/// [`serve_json`] for a call that sets a parameter some supported releases lack, which asks
/// the server's version first: this one is current.
async fn serve_json_after_version(
    status: u16,
    body: serde_json::Value,
) -> (MockServer, TaskInstanceApi) {
    serve([version("3.3.2"), Reply::json(status, &body)]).await
}

/// The one request after the version check.
fn only_request_after_version(server: &MockServer) -> Recorded {
    let mut requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "expected the version, then one request: {requests:#?}"
    );
    assert_eq!(requests[0].target, "/api/v2/version");
    requests.remove(1)
}

/// The one request the server received.
fn only_request(server: &MockServer) -> Recorded {
    let mut requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request: {requests:#?}"
    );
    requests.remove(0)
}

/// Method and raw target (path and query) as received, with the bearer token.
fn assert_sent(request: &Recorded, method: &str, target: &str) {
    assert_eq!(request.method, method);
    assert_eq!(request.target, target);
    assert_eq!(
        request.header_values("authorization"),
        [format!("Bearer {TOKEN}").as_str()]
    );
}

/// A request without a body.
fn assert_no_body(request: &Recorded, method: &str, target: &str) {
    assert_sent(request, method, target);
    assert_eq!(request.header("content-type"), None);
    assert!(
        request.body.is_empty(),
        "unexpected body {:?}",
        request.body
    );
}

/// A request with a JSON body equal to `body`.
fn assert_json_body(request: &Recorded, method: &str, target: &str, body: serde_json::Value) {
    assert_sent(request, method, target);
    assert_eq!(request.header_values("content-type"), ["application/json"]);
    assert_eq!(request.json(), body);
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    rfc3339.parse().expect("an RFC 3339 date-time")
}
