//! Retries, Retry-After, re-login on an expired token, and what never leaks.

use std::time::Duration;

use airflow_client::apis::PatchTaskInstanceParams;
use airflow_client::models::PatchTaskInstanceBody;
use airflow_client::{Client, Error, RetryPolicy};
use serde_json::json;

use super::*;

fn quick_retries(server: &MockServer, attempts: u32) -> Client {
    Client::builder(server.url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy {
            attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
            non_idempotent: false,
        })
        .build()
        .expect("valid")
}

#[tokio::test]
async fn get_is_retried_on_503_and_429_honouring_retry_after() {
    let server = MockServer::start().await;
    server.reply(Reply::json(503, &json!({"detail": "busy"})).header("retry-after", "0"));
    server.reply(Reply::json(429, &json!({"detail": "slow down"})).header("retry-after", "0"));
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let client = quick_retries(&server, 3);

    let ti = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("third attempt succeeds");

    assert_eq!(ti.task_id, fixtures::task_instance()["task_id"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests
        .iter()
        .all(|r| r.method == "GET" && r.target == ti_path("")));
}

#[tokio::test]
async fn attempts_are_settable_and_the_last_answer_is_the_error() {
    let server = MockServer::start().await;
    for _ in 0..2 {
        server.reply(Reply::json(504, &json!({"detail": "gateway timeout"})));
    }
    let client = quick_retries(&server, 2);

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(504));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn patch_is_not_retried_unless_asked() {
    let server = MockServer::start().await;
    server.reply(Reply::json(503, &json!({"detail": "busy"})));
    let client = quick_retries(&server, 3);
    let body = PatchTaskInstanceBody::default().note("n");

    let error = client
        .task_instance()
        .patch_task_instance(DAG, RUN, TASK, &PatchTaskInstanceParams::default(), &body)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(503));
    assert_eq!(
        server.requests().len(),
        1,
        "a PATCH may not be repeated by default"
    );
}

#[tokio::test]
async fn patch_is_retried_when_the_caller_opts_in() {
    let server = MockServer::start().await;
    server.reply(Reply::json(503, &json!({"detail": "busy"})).header("retry-after", "0"));
    server.reply(Reply::json(
        200,
        &json!({"task_instances": [], "total_entries": 0}),
    ));
    let client = Client::builder(server.url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy {
            non_idempotent: true,
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .expect("valid");
    let body = PatchTaskInstanceBody::default().note("n");

    let page = client
        .task_instance()
        .patch_task_instance(DAG, RUN, TASK, &PatchTaskInstanceParams::default(), &body)
        .await
        .expect("second attempt succeeds");

    assert_eq!(page.total_entries, Some(0));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].json(),
        requests[1].json(),
        "the same body is sent again"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_retried_then_a_transport_error() {
    // Bind and drop a listener: the port is then closed, so connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy {
            attempts: 2,
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .expect("valid");

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Transport {
                operation: "get_task_instance",
                ..
            }
        ),
        "{error:?}"
    );
    // The message says why, not only that sending failed.
    assert!(
        error
            .to_string()
            .to_lowercase()
            .contains("connection refused"),
        "{error}"
    );
}

#[tokio::test]
async fn an_expired_token_is_replaced_by_logging_in_again_once() {
    let server = MockServer::start().await;
    server.reply(Reply::json(201, &json!({"access_token": "first"})));
    server.reply(Reply::json(401, &json!({"detail": "Token expired"})));
    server.reply(Reply::json(201, &json!({"access_token": "second"})));
    server.reply(Reply::json(200, &fixtures::task_instance()));

    let client = Client::builder(server.url())
        .login("admin", "s3cret")
        .await
        .expect("logs in");
    client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("succeeds after re-login");

    let requests = server.requests();
    let seen: Vec<(&str, &str, Option<&str>)> = requests
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.target.as_str(),
                r.header("authorization"),
            )
        })
        .collect();
    let ti = ti_path("");
    assert_eq!(
        seen,
        [
            ("POST", "/auth/token", None),
            ("GET", ti.as_str(), Some("Bearer first")),
            ("POST", "/auth/token", None),
            ("GET", ti.as_str(), Some("Bearer second")),
        ]
    );
    assert_eq!(
        requests[0].json(),
        json!({"username": "admin", "password": "s3cret"})
    );
}

#[tokio::test]
async fn a_second_401_after_login_is_the_error() {
    let server = MockServer::start().await;
    server.reply(Reply::json(201, &json!({"access_token": "first"})));
    server.reply(Reply::json(401, &json!({"detail": "Token expired"})));
    server.reply(Reply::json(201, &json!({"access_token": "second"})));
    server.reply(Reply::json(401, &json!({"detail": "Forbidden user"})));

    let client = Client::builder(server.url())
        .login("admin", "s3cret")
        .await
        .expect("logs in");
    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(401));
    assert_eq!(server.requests().len(), 4, "one re-login, no loop");
}

#[tokio::test]
async fn a_bad_login_is_an_api_error_with_the_server_body() {
    let server = MockServer::start().await;
    server.reply(Reply::json(401, &json!({"detail": "Invalid credentials"})));

    let error = Client::builder(server.url())
        .login("admin", "wrong")
        .await
        .unwrap_err();

    let api = error.api().expect("an API error");
    assert_eq!((api.operation, api.status), ("login", 401));
    assert!(api.raw.contains("Invalid credentials"));
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_errors() {
    let server = MockServer::start().await;
    server.reply(Reply::json(201, &json!({"access_token": "tok-123-secret"})));
    server.reply(Reply::json(404, &json!({"detail": "no such task"})));

    let client = Client::builder(server.url())
        .login("admin", "pw-456-secret")
        .await
        .expect("logs in");
    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    for text in [
        format!("{client:?}"),
        format!("{error:?}"),
        error.to_string(),
    ] {
        assert!(
            !text.contains("tok-123-secret") && !text.contains("pw-456-secret"),
            "leaked: {text}"
        );
    }
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[test]
fn a_token_with_control_characters_fails_the_build() {
    let error = Client::new("http://127.0.0.1:1", "abc\u{7}def").unwrap_err();
    assert!(
        matches!(
            error,
            Error::Request {
                operation: "build",
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn dot_segments_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let client = quick_retries(&server, 1);

    for id in ["..", ".", ""] {
        let error = client
            .task_instance()
            .get_task_instance(DAG, RUN, id)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Request {
                    operation: "get_task_instance",
                    ..
                }
            ),
            "{id:?}: {error:?}"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn user_agent_is_the_crate_by_default_and_settable() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()));
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let default = Client::new(server.url(), TOKEN).expect("valid");
    let custom = Client::builder(server.url())
        .bearer_token(TOKEN)
        .user_agent("ops-bot/2")
        .build()
        .expect("valid");

    default
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("answers");
    custom
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("answers");

    let agents: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("user-agent").unwrap_or_default().to_string())
        .collect();
    assert!(agents[0].starts_with("airflow-client/"), "{agents:?}");
    assert_eq!(agents[1], "ops-bot/2");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and never writes a byte; kept open until the test ends.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let client = Client::builder(url)
        .timeout(Duration::from_millis(200))
        .retries(1)
        .build()
        .expect("valid");

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    match &error {
        Error::Transport { source, .. } => assert!(source.is_timeout(), "{error:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    drop(listener);
}

#[tokio::test]
async fn a_caller_provided_reqwest_client_is_used() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tenant",
        reqwest::header::HeaderValue::from_static("blue"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = Client::builder(server.url())
        .bearer_token(TOKEN)
        .http_client(http)
        .build()
        .expect("valid");

    client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("answers");

    assert_eq!(server.requests()[0].header("x-tenant"), Some("blue"));
}

/// An endpoint the crate has no method for, called with the client's token and errors.
#[tokio::test]
async fn call_reaches_any_path_with_the_clients_credentials_and_errors() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({"version": "3.3.2", "git_version": null}),
    ));
    server.reply(Reply::json(404, &json!({"detail": "Dag nosuch not found"})));
    let client = Client::new(server.url(), TOKEN).unwrap();

    let version: serde_json::Value = client
        .call(reqwest::Method::GET, "/api/v2/version")
        .query("limit", &5)
        .query("state", &["a", "b"])
        .send()
        .await
        .expect("decodes");
    // The leading `/` may be left out.
    let error = client
        .call(reqwest::Method::PATCH, "api/v2/dags/nosuch")
        .json(&json!({"is_paused": true}))
        .send::<serde_json::Value>()
        .await
        .unwrap_err();

    assert_eq!(version["version"], "3.3.2");
    let requests = server.requests();
    assert_no_body(
        &requests[0],
        "GET",
        "/api/v2/version?limit=5&state=a&state=b",
    );
    assert_json_body(
        &requests[1],
        "PATCH",
        "/api/v2/dags/nosuch",
        json!({"is_paused": true}),
    );
    assert_eq!(error.status(), Some(404));
    assert_eq!(
        error.to_string(),
        "call: the server answered 404: Dag nosuch not found"
    );
}

/// A base URL without a scheme is refused when the client is built, not at its first call
/// (`localhost:8080` parses as a URL whose scheme is `localhost`).
#[test]
fn a_base_url_must_be_http_or_https() {
    for url in [
        "localhost:8080",
        "127.0.0.1:8080",
        "ftp://example.org",
        "/api",
    ] {
        let result = Client::new(url, TOKEN);
        assert!(
            matches!(
                result,
                Err(Error::Request {
                    operation: "build",
                    ..
                })
            ),
            "{url}: {result:?}"
        );
    }
    for url in ["http://localhost:8080", "https://airflow.example.org/base/"] {
        Client::new(url, TOKEN).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}
