//! The optional feature `blocking`: the API without an async runtime. (The `tracing` span has
//! a test binary of its own, `tests/tracing.rs`.)

use airflow_client::apis::GetTaskInstancesParams;
use airflow_client::apis::TryNumber;
use airflow_client::blocking::{Wait, WaitIter};
use airflow_client::Client;
use serde_json::json;

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
    let client = Client::new(server.url(), TOKEN).expect("builds");
    let api = client.task_instance();

    let ti = api
        .get_task_instance(DAG, RUN, TASK)
        .wait()
        .expect("answers");
    let params = GetTaskInstancesParams::default();
    let all: Result<Vec<_>, _> = api
        .get_task_instances_stream(DAG, RUN, &params, 2)
        .wait_iter()
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
    let client = Client::new(server.url(), TOKEN).expect("builds");

    let version = client.server_version().wait();
    let supports = (
        client.supports("3.1.0").wait(),
        client.supports("3.2.0").wait(),
    );
    let events: Result<Vec<String>, _> = client
        .task_instance()
        .follow_log(airflow_client::logs::FollowLog::new(
            DAG,
            RUN,
            TASK,
            TryNumber(1),
        ))
        .wait_iter()
        .map(|m| m.map(|m| m.event))
        .collect();

    assert_eq!(version.as_deref(), Some("3.1.8"));
    assert_eq!(supports, (true, false));
    assert_eq!(events.expect("follows"), ["starting", "done"]);
    assert_eq!(server.requests().len(), 3, "the version is asked once");
}
