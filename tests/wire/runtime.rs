//! The runtime's small parts, through the crate's public API only: how the server's release
//! compares with the one a feature needs, how values are written into a query string and
//! headers (`Call` reaches the styles the Airflow document does not use), open enums and
//! constants, `Maybe`, setters, and how long the retry policy waits, and for what.
//!
//! These were unit tests inside the runtime templates, which every generated crate carried.

use std::time::{Duration, Instant};

use airflow_client::apis::GetTaskInstancesParams;
use airflow_client::chrono::{DateTime, FixedOffset, TimeZone, Utc};
use airflow_client::models::{
    BulkCreateActionBulkTaskInstanceBodyAction, ClearTaskInstancesBody, TaskInstanceState,
};
use airflow_client::reqwest::Method;
use airflow_client::{Client, Error, Maybe, QueryStyle, RetryPolicy};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::*;

// Releases compare by their numbers.

#[tokio::test]
async fn releases_compare_by_their_numbers() {
    // (the server's version, the release asked about, whether the server is at least that)
    let cases = [
        ("3.1.8", "3.3.0", false),
        ("3.2.10", "3.10.0", false),
        ("3.10.0", "3.2.10", true),
        ("3.3.0", "3.3.0", true),
        ("3.3.0.dev0+abc", "3.3.0", true),
        ("3.3.2", "3.1.0", true),
        ("3", "3.0.1", false),
    ];
    for (server_version, release, supported) in cases {
        let server = MockServer::start().await;
        server.reply(version(server_version));
        let client = Client::new(server.url(), TOKEN).unwrap();

        assert_eq!(
            client.supports(release).await,
            supported,
            "a server at {server_version} supports {release}"
        );
        assert_eq!(server.requests()[0].target, "/api/v2/version");
    }
}

// Query strings and headers.

/// A client whose one request is answered with a JSON `null`.
async fn one_answer() -> (MockServer, Client) {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &Value::Null));
    let client = Client::new(server.url(), TOKEN).unwrap();
    (server, client)
}

#[tokio::test]
async fn query_values_in_every_style_and_header_values() {
    let (server, client) = one_answer().await;
    let when = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();

    client
        .call(Method::GET, "/api/v2/anything")
        .query("start_date_gte", &when)
        .query("state", &["success", "up for retry"])
        .query("x", &Option::<i64>::None)
        .query_as("ids", &[1, 2], QueryStyle::Form { explode: false })
        .query_as("p", &[1, 2], QueryStyle::PipeDelimited)
        .query_as("f", &json!({"a": 1, "b": "x"}), QueryStyle::DeepObject)
        .query_as(
            "o",
            &json!({"a": 1, "n": null}),
            QueryStyle::Form { explode: false },
        )
        .header("x-media", "application/x-ndjson")
        .header("x-list", &["a", "b"])
        .header("x-object", &json!({"from": 1, "to": "z", "gone": null}))
        .header("x-none", &Option::<String>::None)
        .send::<Value>()
        .await
        .unwrap();

    let request = only_request(&server);
    assert_sent(
        &request,
        "GET",
        "/api/v2/anything?start_date_gte=2024-01-01T00%3A00%3A00Z\
         &state=success&state=up%20for%20retry&ids=1%2C2&p=1%7C2&f%5Ba%5D=1&f%5Bb%5D=x&o=a%2C1",
    );
    assert_eq!(request.header_values("x-media"), ["application/x-ndjson"]);
    assert_eq!(request.header_values("x-list"), ["a,b"]);
    // An object in the `simple` style: keys and values in turn, null members left out.
    assert_eq!(request.header_values("x-object"), ["from,1,to,z"]);
    assert_eq!(request.header("x-none"), None);
}

#[derive(Serialize, Clone)]
struct Params {
    zeta: Option<i64>,
    alpha: Option<Vec<&'static str>>,
    #[serde(rename = "m-id")]
    middle: Option<bool>,
}

#[tokio::test]
async fn struct_fields_go_in_their_order_and_unset_ones_not_at_all() {
    let server = MockServer::start().await;
    server.answer_with(|_| Reply::json(200, &Value::Null));
    let client = Client::new(server.url(), TOKEN).unwrap();
    let unset = Params {
        zeta: Some(1),
        alpha: Some(vec!["a b", "c"]),
        middle: None,
    };
    let set = Params {
        middle: Some(true),
        ..unset.clone()
    };

    for params in [&unset, &set] {
        client
            .call(Method::GET, "/q")
            .query_params(params)
            .send::<Value>()
            .await
            .unwrap();
    }

    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/q?zeta=1&alpha=a%20b&alpha=c",
            "/q?zeta=1&alpha=a%20b&alpha=c&m-id=true"
        ]
    );
}

#[tokio::test]
async fn parameters_that_are_not_a_struct_fail_the_call_unsent() {
    let (server, client) = one_answer().await;

    let error = client
        .call(Method::GET, "/q")
        .query_params(&5)
        .send::<Value>()
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Request {
                operation: "call",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("struct"), "{error}");
    assert!(server.requests().is_empty());
}

// Open enums and constants, as the models use them.

#[test]
fn open_enums_keep_unknown_values() {
    let decoded: Vec<TaskInstanceState> =
        serde_json::from_str(r#"["success", "ultraviolet"]"#).unwrap();
    assert_eq!(
        decoded,
        [
            TaskInstanceState::Success,
            TaskInstanceState::Unknown("ultraviolet".into())
        ]
    );
    assert_eq!(
        serde_json::to_string(&decoded).unwrap(),
        r#"["success","ultraviolet"]"#
    );
    assert_eq!(
        TaskInstanceState::from("up_for_retry"),
        TaskInstanceState::UpForRetry
    );
    assert_eq!(
        TaskInstanceState::from(String::from("up_for_retry")),
        TaskInstanceState::UpForRetry
    );
    assert_eq!(TaskInstanceState::UpForRetry.to_string(), "up_for_retry");
    assert_eq!(String::from(TaskInstanceState::UpForRetry), "up_for_retry");
    assert_eq!("x".parse::<TaskInstanceState>().unwrap().to_string(), "x");
    assert_eq!(String::from(TaskInstanceState::Unknown("x".into())), "x");
    assert_eq!(TaskInstanceState::known("x"), None);
}

#[test]
fn constants_accept_only_their_value() {
    type Create = BulkCreateActionBulkTaskInstanceBodyAction;
    assert_eq!(Create::VALUE, "create");
    assert_eq!(
        serde_json::to_string(&Create::default()).unwrap(),
        r#""create""#
    );
    assert!(serde_json::from_str::<Create>(r#""create""#).is_ok());
    let err = serde_json::from_str::<Create>(r#""delete""#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("create"), "{err}");
}

// Maybe: absent, null or a value, both ways.

#[derive(Serialize, Deserialize, Default, PartialEq, Debug)]
struct Patch {
    #[serde(default, skip_serializing_if = "Maybe::is_absent")]
    note: Maybe<String>,
}

#[test]
fn maybe_has_three_states_on_the_wire() {
    assert_eq!(serde_json::to_string(&Patch::default()).unwrap(), "{}");
    assert_eq!(
        serde_json::to_string(&Patch { note: Maybe::Null }).unwrap(),
        r#"{"note":null}"#
    );
    assert_eq!(
        serde_json::to_string(&Patch { note: "x".into() }).unwrap(),
        r#"{"note":"x"}"#
    );
    assert_eq!(
        serde_json::from_str::<Patch>("{}").unwrap().note,
        Maybe::Absent
    );
    assert_eq!(
        serde_json::from_str::<Patch>(r#"{"note":null}"#)
            .unwrap()
            .note,
        Maybe::Null
    );
    assert_eq!(
        serde_json::from_str::<Patch>(r#"{"note":"y"}"#)
            .unwrap()
            .note,
        Maybe::Value("y".into())
    );
}

// Setters take what converts into their field.

#[test]
fn setters_take_what_converts() {
    let id = String::from("b");
    let at: DateTime<FixedOffset> = "2024-01-01T02:00:00+02:00".parse().unwrap();
    let utc = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();

    let params = GetTaskInstancesParams::default()
        .task_id(&id)
        .limit(5)
        .state(vec![id.clone()])
        .start_date_gte(at);
    assert_eq!(params.task_id, Some("b".into()));
    assert_eq!(params.limit, Some(5));
    assert_eq!(params.state, Some(vec!["b".into()]));
    assert_eq!(params.start_date_gte, Some(utc));

    let body = ClearTaskInstancesBody::default()
        .dag_run_id(&id)
        .start_date(at);
    assert_eq!(body.dag_run_id, Maybe::Value("b".into()));
    assert_eq!(body.start_date, Maybe::Value(utc));
    let cleared = ClearTaskInstancesBody::default().note("x").note_null();
    assert_eq!(cleared.note, Maybe::Null);
}

// How long the retry policy waits, and which requests it repeats.

/// A client with `policy` for `server`.
fn client_with(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder(server.url())
        .bearer_token(TOKEN)
        .retry_policy(policy)
        .build()
        .unwrap()
}

/// A 503 saying to come back after `retry_after`.
fn busy(retry_after: &str) -> Reply {
    Reply::json(503, &json!({"detail": "busy"})).header("retry-after", retry_after)
}

/// A server that answers every request with 503.
async fn always_busy() -> MockServer {
    let server = MockServer::start().await;
    server.answer_with(|_| Reply::json(503, &json!({"detail": "busy"})));
    server
}

/// How many requests a call with `method` sent to a server that is always busy.
async fn attempts_made(policy: &RetryPolicy, method: Method) -> usize {
    let server = always_busy().await;
    let client = client_with(&server, policy.clone());
    let error = client
        .call(method, "/api/v2/anything")
        .send::<Value>()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    server.requests().len()
}

#[tokio::test]
async fn only_idempotent_methods_are_retried_by_default() {
    let default = RetryPolicy::default();
    assert_eq!((default.attempts, default.non_idempotent), (3, false));
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(1),
        ..default
    };
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        assert_eq!(attempts_made(&policy, method.clone()).await, 3, "{method}");
    }
    for method in [Method::POST, Method::PATCH] {
        assert_eq!(attempts_made(&policy, method.clone()).await, 1, "{method}");
    }
    let opted_in = RetryPolicy {
        non_idempotent: true,
        ..policy
    };
    for method in [Method::POST, Method::PATCH] {
        assert_eq!(
            attempts_made(&opted_in, method.clone()).await,
            3,
            "{method}"
        );
    }
}

/// Sends a GET with `policy` to a server answering `replies` in order; the result, how long it
/// took and how many requests were made.
async fn get(
    policy: RetryPolicy,
    deadline: Option<Duration>,
    replies: impl IntoIterator<Item = Reply>,
) -> (Result<Value, Error>, Duration, usize) {
    let server = MockServer::start().await;
    for reply in replies {
        server.reply(reply);
    }
    let mut builder = Client::builder(server.url())
        .bearer_token(TOKEN)
        .retry_policy(policy);
    if let Some(deadline) = deadline {
        builder = builder.deadline(deadline);
    }
    let client = builder.build().unwrap();
    let started = Instant::now();
    let result = client.call(Method::GET, "/api/v2/anything").send().await;
    (result, started.elapsed(), server.requests().len())
}

fn ok() -> Reply {
    Reply::json(200, &json!({"ok": true}))
}

/// Retries after a millisecond unless the server says otherwise; waits of up to `max_delay`.
fn quick(max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay,
        non_idempotent: false,
    }
}

#[tokio::test]
async fn a_retry_after_in_seconds_wins_over_the_backoff() {
    let (result, took, requests) =
        get(quick(Duration::from_secs(10)), None, [busy("1"), ok()]).await;

    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(requests, 2);
    assert!(
        took >= Duration::from_secs(1),
        "waited the server's second: {took:?}"
    );
    assert!(
        took < Duration::from_secs(5),
        "a second, not more: {took:?}"
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_max_delay_waits_max_delay() {
    let (result, took, requests) = get(
        quick(Duration::from_millis(100)),
        None,
        [busy("3600"), ok()],
    )
    .await;

    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(requests, 2);
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_retry_after_as_an_http_date() {
    // An hour from now: a wait past the deadline, so the 503 is the answer at once.
    let later = (Utc::now() + airflow_client::chrono::Duration::hours(1))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let deadline = Some(Duration::from_secs(2));
    let (result, took, requests) = get(
        quick(Duration::from_secs(7200)),
        deadline,
        [busy(&later), ok()],
    )
    .await;
    assert_eq!(result.unwrap_err().status(), Some(503));
    assert_eq!(requests, 1, "no wait of an hour was begun");
    assert!(took < Duration::from_secs(2), "{took:?}");

    // A date gone by: no wait at all, though the backoff alone (up to 10 s each time) would
    // most likely pass the deadline.
    let past = "Wed, 21 Oct 2015 07:28:00 GMT";
    let slow = RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(10),
        non_idempotent: false,
    };
    let replies = [busy(past), busy(past), busy(past), ok()];
    let (result, took, requests) = get(slow, deadline, replies).await;
    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(requests, 4);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn a_retry_after_that_is_neither_leaves_the_backoff() {
    // Read as a wait of any length it would be capped at a minute, past the deadline.
    let (result, _, requests) = get(
        quick(Duration::from_secs(60)),
        Some(Duration::from_secs(2)),
        [busy("soon"), ok()],
    )
    .await;

    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn the_backoff_is_capped_by_max_delay() {
    // Uncapped, a base of a second doubling over 19 retries would wait for days.
    let policy = RetryPolicy {
        attempts: 20,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_millis(10),
        non_idempotent: false,
    };
    let server = always_busy().await;
    let client = client_with(&server, policy);
    let started = Instant::now();

    let error = client
        .call(Method::GET, "/api/v2/anything")
        .send::<Value>()
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(server.requests().len(), 20);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
}
