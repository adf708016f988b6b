//! What a call takes and gives beyond its arguments: one conversion rule for every setter,
//! integer arguments that cannot be swapped, options for one call (timeout, deadline,
//! headers), the response's status and headers, body fields newer than the server, and the
//! blocking API's shape.

use std::time::Duration;

use airflow_client::apis::{
    GetTaskInstancesParams, MapIndex, PatchTaskInstanceDryRunParams, PatchTaskInstanceParams,
    TaskTryNumber,
};
use airflow_client::blocking::Wait;
use airflow_client::chrono::{DateTime, FixedOffset};
use airflow_client::models::{
    BulkBodyBulkTaskInstanceBody, BulkBodyBulkTaskInstanceBodyActionsItem, BulkTaskInstanceBody,
    BulkUpdateActionBulkTaskInstanceBody, ClearTaskInstancesBody, PatchTaskInstanceBody,
};
use airflow_client::{Client, Error, RetryPolicy};
use airflow_codegen_tests::faults::{Fault, FaultPlan, FaultProxy};

use super::*;

fn one_attempt() -> RetryPolicy {
    RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    }
}

// One conversion rule: what a params setter takes, a body setter takes too.

#[tokio::test]
async fn body_setters_take_borrowed_strings_owned_lists_and_wire_names() {
    let answer = json!({"task_instances": [], "total_entries": 0});
    // The note is newer than 3.0: setting it asks the server's version first.
    let (server, api) = serve_json_after_version(200, answer).await;
    let run_id: String = RUN.to_string();
    let ids: Vec<String> = vec!["extract".into(), "load".into()];
    let body = ClearTaskInstancesBody::default()
        .dry_run(true)
        .dag_run_id(&run_id)
        .task_ids(ids)
        .note_null();

    api.post_clear_task_instances(DAG, &body).await.unwrap();

    let sent = only_request_after_version(&server).json();
    assert_eq!(sent["dag_run_id"], json!(RUN));
    assert_eq!(sent["task_ids"], json!(["extract", "load"]));
    assert_eq!(sent["note"], json!(null), "the explicit null is sent");
    let literal = ClearTaskInstancesBody::default().task_ids(vec!["extract", "load"]);
    assert_eq!(literal.task_ids, body.task_ids);
    let patch = PatchTaskInstanceBody::default().new_state("success");
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({"new_state": "success"})
    );
}

#[tokio::test]
async fn a_date_in_any_time_zone_is_sent_in_utc() {
    let (server, api) = serve_json(200, json!({"task_instances": [], "total_entries": 0})).await;
    let since: DateTime<FixedOffset> = "2024-01-01T02:00:00+02:00".parse().unwrap();
    let params = GetTaskInstancesParams::default().start_date_gte(since);

    api.get_task_instances(DAG, RUN, &params).await.unwrap();

    let target = only_request(&server).target;
    assert!(
        target.contains("start_date_gte=2024-01-01T00%3A00%3A00Z"),
        "{target}"
    );
}

// Integer arguments are types of their own: the try number and the map index go where their
// names say, and a swap does not compile.

#[tokio::test]
async fn the_try_number_and_the_map_index_cannot_trade_places() {
    let (server, api) = serve_json(200, fixtures::task_instance_try(3, "success")).await;

    api.get_mapped_task_instance_try_details(DAG, RUN, TASK, TaskTryNumber(3), MapIndex(7))
        .await
        .unwrap();

    assert_eq!(
        only_request(&server).target,
        ti_path("/7/tries/3"),
        "map index 7 in its segment, try 3 in its own"
    );
}

// Operations whose parameters are the same take the same type.

#[test]
fn a_dry_run_takes_the_parameters_built_for_the_call() {
    let params: PatchTaskInstanceParams = PatchTaskInstanceParams::default().map_index(2);
    let dry_run: &PatchTaskInstanceDryRunParams = &params;
    assert_eq!(dry_run.map_index, Some(2));
}

// Options for one call.

#[tokio::test]
async fn a_call_sends_its_own_headers_over_the_operations() {
    let (server, api) = serve_json(200, fixtures::task_instance()).await;

    api.get_task_instance(DAG, RUN, TASK)
        .header("x-request-id", "7f3c")
        .header("user-agent", "nightly-report")
        .await
        .unwrap();

    let request = only_request(&server);
    assert_eq!(request.header_values("x-request-id"), ["7f3c"]);
    assert_eq!(request.header_values("user-agent"), ["nightly-report"]);
}

#[tokio::test]
async fn a_calls_content_type_replaces_the_bodys_rather_than_joining_it() {
    let body = fixtures::collection(vec![fixtures::task_instance()]);
    let (server, api) = serve_json(200, body).await;
    let patch = PatchTaskInstanceBody::default().note("by hand");

    api.patch_task_instance(DAG, RUN, TASK, &PatchTaskInstanceParams::default(), &patch)
        .header("content-type", "application/merge-patch+json")
        .await
        .unwrap();

    let request = only_request(&server);
    assert_eq!(
        request.header_values("content-type"),
        ["application/merge-patch+json"]
    );
}

#[tokio::test]
async fn a_header_that_is_not_one_fails_the_call_unsent() {
    let (server, api) = serve_json(200, fixtures::task_instance()).await;

    let error = api
        .get_task_instance(DAG, RUN, TASK)
        .header("x-note", "two\nlines")
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Request { .. }), "{error:?}");
    assert!(error.to_string().contains("header"), "{error}");
    assert!(server.requests().is_empty());
}

/// A client whose every answer comes a second late, and which would wait for it.
async fn slow_server() -> (MockServer, FaultProxy, Client) {
    let server = MockServer::start().await;
    server.answer_with(|_| Reply::json(200, &fixtures::task_instance()));
    let plan = FaultPlan::new(3)
        .rate(1.0)
        .faults(vec![Fault::Delay(Duration::from_secs(1))]);
    let proxy = FaultProxy::start(&server.url(), plan).await;
    let client = Client::builder(proxy.url())
        .bearer_token(TOKEN)
        .retry_policy(one_attempt())
        .build()
        .unwrap();
    (server, proxy, client)
}

#[tokio::test]
async fn a_call_can_have_a_timeout_of_its_own() {
    let (_server, _proxy, client) = slow_server().await;

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();

    match &error {
        Error::Transport { source, .. } => assert!(source.is_timeout(), "{error:?}"),
        other => panic!("expected a timed-out attempt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_can_have_a_deadline_of_its_own() {
    let (_server, _proxy, client) = slow_server().await;

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .deadline(Duration::from_millis(300))
        .await
        .unwrap_err();

    match error {
        Error::Deadline { deadline, .. } => assert_eq!(deadline, Duration::from_millis(300)),
        other => panic!("expected Error::Deadline, got {other:?}"),
    }
}

// The response's status and headers, with the data and with an error.

#[tokio::test]
async fn with_response_gives_status_and_headers_with_the_data() {
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixtures::task_instance()).header("x-request-id", "abc"));
    let api = Client::new(server.url(), TOKEN).unwrap().task_instance();

    let reply = api
        .get_task_instance(DAG, RUN, TASK)
        .with_response()
        .await
        .unwrap();

    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["x-request-id"], "abc");
    assert_eq!(reply.data.task_id, TASK);
}

#[tokio::test]
async fn an_api_error_keeps_the_response_headers() {
    let server = MockServer::start().await;
    server.reply(Reply::json(404, &json!({"detail": "not found"})).header("x-request-id", "req-9"));
    let api = Client::new(server.url(), TOKEN).unwrap().task_instance();

    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();

    match error {
        Error::Api(e) => assert_eq!(e.headers["x-request-id"], "req-9"),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

// A body field newer than the server fails unsent, like a newer parameter.

fn bulk_update_with_mask() -> BulkBodyBulkTaskInstanceBody {
    let update = BulkUpdateActionBulkTaskInstanceBody::new([
        BulkTaskInstanceBody::new(TASK).new_state("failed")
    ])
    .update_mask(["new_state"]);
    BulkBodyBulkTaskInstanceBody::new([BulkBodyBulkTaskInstanceBodyActionsItem::Update(update)])
}

#[tokio::test]
async fn a_body_field_newer_than_the_server_fails_unsent() {
    let (server, api) = serve([version("3.1.8")]).await;

    let error = api
        .bulk_task_instances(DAG, RUN, &bulk_update_with_mask())
        .await
        .unwrap_err();

    match &error {
        Error::UnsupportedParameter {
            parameter, since, ..
        } => assert_eq!(
            (*parameter, *since),
            ("body.actions[].update_mask", "3.2.0")
        ),
        other => panic!("expected Error::UnsupportedParameter, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("the body field `actions[].update_mask` needs 3.2.0"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1, "only the version was asked");
}

#[tokio::test]
async fn a_body_field_the_server_has_is_sent() {
    let answer = json!({"create": null, "update": {"success": [], "errors": []}, "delete": null});
    let (server, api) = serve_json_after_version(200, answer).await;

    api.bulk_task_instances(DAG, RUN, &bulk_update_with_mask())
        .await
        .unwrap();

    let sent = only_request_after_version(&server).json();
    assert_eq!(sent["actions"][0]["update_mask"], json!(["new_state"]));
}

// The blocking API has the async one's shape: `.wait()` where async code has `.await`.

#[test]
fn blocking_login_has_the_async_shape() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start());
    server.reply(Reply::json(201, &json!({"access_token": "t0k"})));
    server.reply(Reply::json(200, &fixtures::task_instance()).header("x-request-id", "b1"));

    let client = Client::builder(server.url())
        .login("admin", "s3cret")
        .wait()
        .unwrap();
    let reply = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .timeout(Duration::from_secs(5))
        .with_response()
        .wait()
        .unwrap();

    assert_eq!(reply.headers["x-request-id"], "b1");
    let requests = server.requests();
    assert_eq!(requests[0].target, "/auth/token");
    assert_eq!(requests[1].header("authorization"), Some("Bearer t0k"));
}
