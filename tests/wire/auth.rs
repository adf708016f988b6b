//! The bearer token: sent with every call, replaceable, never silently dropped; other
//! credentials in its place.

use airflow_client::reqwest::header::{HeaderName, AUTHORIZATION};
use airflow_client::{Client, Error};

use super::*;

#[tokio::test]
async fn set_token_replaces_the_token_for_later_calls() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()));
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let client = Client::new(server.url(), "first-token").expect("valid URL");
    let api = client.task_instance();

    api.get_task_instance(DAG, RUN, TASK)
        .await
        .expect("decodes");
    client.set_token("second-token").expect("a valid token");
    api.get_task_instance(DAG, RUN, TASK)
        .await
        .expect("decodes");

    let tokens: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header_values("authorization").join(" | "))
        .collect();
    assert_eq!(tokens, ["Bearer first-token", "Bearer second-token"]);
}

/// A token read from a file usually ends with a newline, which cannot go into a header. The
/// client must then fail (at build or at the call) or send a usable header, never send the
/// request without credentials: that only surfaces as a puzzling 401 from the server.
#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_never_dropped_silently() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()));

    let result = match Client::new(server.url(), "eyJhbGciOiJIUzUxMiJ9.from-file\n") {
        Ok(client) => {
            client
                .task_instance()
                .get_task_instance(DAG, RUN, TASK)
                .await
        }
        Err(build_error) => Err(build_error),
    };

    let unauthenticated: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.header("authorization").is_none())
        .map(|r| r.target)
        .collect();
    assert!(
        unauthenticated.is_empty(),
        "sent without credentials: {unauthenticated:?}; the call returned {:?}",
        result.as_ref().map(|_| "a task instance")
    );
    assert!(
        matches!(result, Ok(_) | Err(Error::Request { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn another_credential_header_goes_in_place_of_the_token() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()));
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let key = Client::builder(server.url())
        .bearer_token("overridden")
        .auth_header(HeaderName::from_static("x-api-key"), "k-123\n")
        .build()
        .unwrap();
    // HTTP basic for `admin:admin`.
    let basic = Client::builder(server.url())
        .auth_header(AUTHORIZATION, "Basic YWRtaW46YWRtaW4=")
        .build()
        .unwrap();

    key.task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap();
    basic
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(requests[0].header_values("x-api-key"), ["k-123"]);
    assert!(requests[0].header("authorization").is_none());
    assert_eq!(
        requests[1].header_values("authorization"),
        ["Basic YWRtaW46YWRtaW4="]
    );
    assert!(!format!("{key:?}").contains("k-123"), "{key:?}");
}
