//! The optional features: a blocking API and a tracing span per request.

use std::sync::{Arc, Mutex};

use airflow_client::apis::GetTaskInstancesParams;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use super::*;

/// Starts a mock server on a runtime of its own, as a program without async would see one.
fn server_on_own_runtime(replies: Vec<Reply>) -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the server");
    let server = runtime.block_on(MockServer::start());
    for reply in replies {
        server.reply(reply);
    }
    (runtime, server)
}

#[test]
fn the_blocking_api_needs_no_runtime() {
    let page = |first: i64| {
        let items: Vec<_> = (first..first + 2)
            .map(|i| {
                let mut ti = fixtures::task_instance();
                ti["map_index"] = json!(i);
                ti
            })
            .collect();
        Reply::json(200, &json!({"task_instances": items, "total_entries": 4}))
    };
    let (_runtime, server) = server_on_own_runtime(vec![
        Reply::json(200, &fixtures::task_instance()),
        Reply::json(200, &json!({"version": "3.1.8"})),
        page(0),
        page(2),
    ]);
    let client = airflow_client::blocking::Client::new(server.url(), TOKEN).expect("builds");
    let api = client.task_instance();

    let ti = api.get_task_instance(DAG, RUN, TASK).expect("answers");
    let params = GetTaskInstancesParams::default();
    let all: Result<Vec<_>, _> = api
        .get_task_instances_stream(DAG, RUN, &params, 2)
        .collect();

    assert_eq!(ti.task_id, TASK);
    assert_eq!(
        all.expect("pages")
            .iter()
            .map(|t| t.map_index)
            .collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(server.requests().len(), 4);
}

/// What the async client has beyond the operations, without a runtime: the server's version
/// and following a log as an iterator.
#[test]
fn the_blocking_client_asks_the_version_and_follows_a_log() {
    let (_runtime, server) = server_on_own_runtime(vec![
        Reply::json(200, &json!({"version": "3.1.8", "git_version": null})),
        logs::task_in_state("success"),
        logs::ndjson_reply(&["starting", "done"], None),
    ]);
    let client = airflow_client::blocking::Client::new(server.url(), TOKEN).expect("builds");

    let version = client.server_version();
    let supports = (client.supports("3.1.0"), client.supports("3.2.0"));
    let events: Result<Vec<String>, _> = client
        .task_instance()
        .follow_log(airflow_client::logs::FollowLog::new(DAG, RUN, TASK, 1))
        .map(|m| m.map(|m| m.event))
        .collect();

    assert_eq!(version.as_deref(), Some("3.1.8"));
    assert_eq!(supports, (true, false));
    assert_eq!(events.expect("follows"), ["starting", "done"]);
    assert_eq!(server.requests().len(), 3, "the version is asked once");
}

/// Collects every span's fields as `name=value` text.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Vec<String>>>>);

struct Fields<'a>(&'a mut Vec<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={:?}", field.name(), value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(format!("{}={value}", field.name()));
    }
}

impl Subscriber for Spans {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut spans = self.0.lock().unwrap();
        let mut fields = vec![format!("name={}", span.metadata().name())];
        span.record(&mut Fields(&mut fields));
        spans.push(fields);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.0.lock().unwrap();
        let fields = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn each_request_gets_a_span_without_ids_or_token() {
    let (_runtime, server) =
        server_on_own_runtime(vec![Reply::json(404, &json!({"detail": "nope"}))]);
    let spans = Spans::default();
    let client = airflow_client::blocking::Client::new(server.url(), TOKEN).expect("builds");

    let result = tracing::subscriber::with_default(spans.clone(), || {
        client.task_instance().get_task_instance(DAG, RUN, TASK)
    });

    assert_eq!(result.unwrap_err().status(), Some(404));
    let recorded = spans.0.lock().unwrap();
    let request = recorded
        .iter()
        .find(|s| s.contains(&"name=request".to_string()))
        .expect("a request span");
    for expected in [
        "operation=get_task_instance",
        "method=GET",
        "path=/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}",
        "status=404",
        "attempts=1",
    ] {
        assert!(
            request.iter().any(|f| f == expected),
            "missing {expected} in {request:?}"
        );
    }
    assert!(
        request.iter().any(|f| f.starts_with("duration_ms=")),
        "{request:?}"
    );
    let all = format!("{recorded:?}");
    assert!(
        !all.contains(TOKEN) && !all.contains("etl_daily"),
        "spans carry no token and no ids: {all}"
    );
}
