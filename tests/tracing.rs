//! The `tracing` feature: one span per request, without ids or the token. A test binary of
//! its own, since tracing caches each callsite's interest process-wide: a request span first
//! met on another test's thread, while this test's subscriber was being set, could stay
//! disabled for it.

use airflow_client::blocking::Wait;
use std::sync::{Arc, Mutex};

use airflow_codegen_tests::mock::{MockServer, Reply};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const TOKEN: &str = "eyJhbGciOiJIUzUxMiJ9.test-token";
const DAG: &str = "etl_daily";
const RUN: &str = "manual__2024-01-01T00:00:00+00:00";
const TASK: &str = "extract data";

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
    let runtime = tokio::runtime::Runtime::new().expect("a runtime for the server");
    let server = runtime.block_on(MockServer::start());
    server.reply(Reply::json(404, &json!({"detail": "nope"})));
    let spans = Spans::default();
    let client = airflow_client::Client::new(server.url(), TOKEN).expect("builds");

    let result = tracing::subscriber::with_default(spans.clone(), || {
        client
            .task_instance()
            .get_task_instance(DAG, RUN, TASK)
            .wait()
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
