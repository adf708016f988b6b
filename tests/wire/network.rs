//! Off the happy path: answers cut mid-body, connections closed before an answer, 503s and
//! delays. A cut body is retried like a failed connection, a stream that fails says where to
//! resume, NDJSON logs and `follow_log` give each line once, and a deadline bounds a call.

use airflow_client::apis::TryNumber;
use airflow_client::blocking::WaitIter;
use std::time::Duration;

use airflow_client::apis::{GetLogParams, GetLogResponse, GetTaskInstancesParams};
use airflow_client::logs::FollowLog;
use airflow_client::models::{PatchTaskInstanceBody, StructuredLogMessage};
use airflow_client::{Client, Error, PageStart, RetryPolicy};
use airflow_codegen_tests::faults::{Fault, FaultPlan, FaultProxy};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

use super::*;

fn policy(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        non_idempotent: false,
    }
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder(url)
        .bearer_token(TOKEN)
        .retry_policy(policy)
        .build()
        .expect("valid")
}

/// A task instance answer cut after its first 100 bytes.
fn cut_task_instance() -> Reply {
    Reply::json(200, &fixtures::task_instance()).cut_body_at(100)
}

fn task_instance_len() -> usize {
    fixtures::task_instance().to_string().len()
}

// 1. A response that does not arrive whole is a transient failure.

#[tokio::test]
async fn a_body_cut_mid_way_is_retried_like_a_failed_connection() {
    let server = MockServer::start().await;
    server.reply(cut_task_instance());
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let api = client(&server.url(), policy(3)).task_instance();

    let ti = api
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("retried");

    assert_eq!(ti.task_id, fixtures::task_instance()["task_id"]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_body_cut_on_every_attempt_says_how_much_arrived() {
    let server = MockServer::start().await;
    for _ in 0..3 {
        server.reply(cut_task_instance());
    }
    let api = client(&server.url(), policy(3)).task_instance();

    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();

    let length = task_instance_len() as u64;
    match &error {
        Error::Incomplete {
            operation,
            status,
            received,
            expected,
            lines,
            attempts,
            ..
        } => assert_eq!(
            (*operation, *status, *received, *expected, *lines, *attempts),
            ("get_task_instance", 200, 100, Some(length), None, 3)
        ),
        other => panic!("expected Error::Incomplete, got {other:?}"),
    }
    let grouped = format!("{},{:03}", length / 1000, length % 1000);
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "get_task_instance: the connection closed after 100 of {grouped} bytes of the 200 \
             answer (3 attempts)"
        )),
        "{message}"
    );
    assert!(error.is_transient());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_whole_body_that_does_not_parse_is_not_retried() {
    let server = MockServer::start().await;
    server.reply(Reply::status(200).body("application/json", "{\"task_id\": oops"));
    let api = client(&server.url(), policy(3)).task_instance();

    let error = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();

    assert!(
        matches!(error, Error::Decode { status: 200, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("get_task_instance: could not decode the 200 response")
            && message.ends_with("{\"task_id\": oops"),
        "{message}"
    );
    assert!(!error.is_transient());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_cut_patch_is_repeated_only_when_the_policy_allows() {
    let body = PatchTaskInstanceBody::default().note("n");
    let params = airflow_client::apis::PatchTaskInstanceParams::default();
    let answer = || Reply::json(200, &json!({"task_instances": [], "total_entries": 0}));

    let server = MockServer::start().await;
    server.reply(answer().cut_body_at(10));
    let api = client(&server.url(), policy(3)).task_instance();
    let error = api
        .patch_task_instance(DAG, RUN, TASK, &params, &body)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Incomplete { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1, "a PATCH is not repeated");

    let server = MockServer::start().await;
    server.reply(answer().cut_body_at(10));
    server.reply(answer());
    let opted_in = RetryPolicy {
        non_idempotent: true,
        ..policy(3)
    };
    let api = client(&server.url(), opted_in).task_instance();
    api.patch_task_instance(DAG, RUN, TASK, &params, &body)
        .await
        .expect("repeated when allowed");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_4xx_is_the_answer_but_408_is_retried() {
    let server = MockServer::start().await;
    server.reply(Reply::json(400, &json!({"detail": "bad"})));
    server.reply(Reply::json(408, &json!({"detail": "too slow"})));
    server.reply(Reply::json(200, &fixtures::task_instance()));
    let api = client(&server.url(), policy(3)).task_instance();

    let bad = api.get_task_instance(DAG, RUN, TASK).await.unwrap_err();
    assert_eq!(bad.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
    api.get_task_instance(DAG, RUN, TASK)
        .await
        .expect("408 retried");
    assert_eq!(server.requests().len(), 3);
}

// 2. Streams resume, they do not restart.

/// `count` task instances at map indexes from `first`, in a page of `total`, with a cursor.
fn page(first: usize, count: usize, total: usize, next: Option<&str>) -> Reply {
    let items: Vec<_> = (first..first + count)
        .map(|i| fixtures::with(fixtures::task_instance(), json!({ "map_index": i })))
        .collect();
    Reply::json(
        200,
        &json!({"task_instances": items, "total_entries": total, "next_cursor": next}),
    )
}

fn map_indexes(items: &[airflow_client::models::TaskInstanceResponse]) -> Vec<i64> {
    items.iter().map(|ti| ti.map_index).collect()
}

#[tokio::test]
async fn a_page_cut_once_is_retried_and_the_stream_goes_on() {
    let server = MockServer::start().await;
    server.reply(version("3.1.8"));
    server.reply(page(0, 3, 6, None));
    server.reply(page(3, 3, 6, None).cut_body_at(200));
    server.reply(page(3, 3, 6, None));
    let api = client(&server.url(), policy(3)).task_instance();

    let items: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 3)
        .try_collect()
        .await
        .expect("the cut page is fetched again");

    assert_eq!(map_indexes(&items), [0, 1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_page_that_fails_for_good_ends_the_stream_where_it_can_resume_by_offset() {
    let server = MockServer::start().await;
    server.reply(version("3.1.8"));
    server.reply(page(0, 3, 6, None));
    for _ in 0..2 {
        server.reply(page(3, 3, 6, None).cut_body_at(200));
    }
    let api = client(&server.url(), policy(2)).task_instance();

    let mut stream = api.get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 3);
    let mut seen = Vec::new();
    let error = loop {
        match stream.next().await.expect("an item or the error") {
            Ok(ti) => seen.push(ti.map_index),
            Err(e) => break e,
        }
    };
    assert_eq!(seen, [0, 1, 2], "every item before the failed page, once");
    assert!(matches!(error, Error::Incomplete { .. }), "{error:?}");
    assert!(stream.next().await.is_none(), "the error ends the stream");
    let Some(PageStart::Offset(offset)) = stream.resume_from() else {
        panic!("expected an offset, got {:?}", stream.resume_from());
    };
    assert_eq!(offset, 3);

    server.reply(page(3, 3, 6, None));
    let params = GetTaskInstancesParams::default().offset(offset);
    let rest: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, params, 3)
        .try_collect()
        .await
        .expect("resumes");
    assert_eq!(map_indexes(&rest), [3, 4, 5]);
    let last = server.requests().pop().unwrap().target;
    assert!(last.ends_with("limit=3&offset=3"), "{last}");
}

#[tokio::test]
async fn a_cursor_stream_resumes_at_the_cursor_of_the_page_that_failed() {
    let server = MockServer::start().await;
    server.reply(version("3.3.2"));
    server.reply(page(0, 3, 6, Some("c3")));
    server.reply(Reply::json(503, &json!({"detail": "busy"})));
    let api = client(&server.url(), policy(1)).task_instance();

    let mut stream = api.get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 3);
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(ti) => seen.push(ti.map_index),
            Err(e) => assert_eq!(e.status(), Some(503)),
        }
    }
    assert_eq!(seen, [0, 1, 2]);
    assert_eq!(stream.resume_from(), Some(PageStart::Cursor("c3".into())));

    server.reply(page(3, 3, 6, None));
    let params = GetTaskInstancesParams::default().cursor("c3");
    let rest: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, params, 3)
        .try_collect()
        .await
        .expect("resumes");
    assert_eq!(map_indexes(&rest), [3, 4, 5]);
    let last = server.requests().pop().unwrap().target;
    assert!(last.ends_with("?cursor=c3&limit=3"), "{last}");
}

#[test]
fn a_blocking_stream_says_where_to_resume_too() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(MockServer::start());
    server.reply(version("3.1.8"));
    server.reply(page(0, 2, 4, None));
    server.reply(Reply::json(503, &json!({"detail": "busy"})));
    let client = client(&server.url(), policy(1));
    let api = client.task_instance();

    let mut items = api
        .get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 2)
        .wait_iter();
    let results: Vec<_> = items.by_ref().collect();

    assert_eq!(results.len(), 3);
    assert!(results[2].is_err());
    assert_eq!(items.stream().resume_from(), Some(PageStart::Offset(2)));
}

// 3 and 4. NDJSON logs and `follow_log`: each line once.

fn ndjson(lines: &[serde_json::Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

fn log_lines(events: &[&str]) -> Vec<serde_json::Value> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"event": e, "timestamp": format!("2024-01-01T00:00:{i:02}Z")}))
        .collect()
}

fn ndjson_params() -> GetLogParams {
    GetLogParams::default().accept("application/x-ndjson")
}

/// An NDJSON log answer with a `Content-Length`, cut `extra` bytes after its `lines`-th line.
fn cut_log(events: &[&str], lines: usize, extra: usize) -> Reply {
    let body = ndjson(&log_lines(events));
    let text = String::from_utf8(body.clone()).unwrap();
    let at = text.lines().take(lines).map(|l| l.len() + 1).sum::<usize>() + extra;
    Reply::status(200)
        .body("application/x-ndjson", body)
        .cut_body_at(at)
}

fn whole_log(events: &[&str]) -> Reply {
    Reply::status(200).body("application/x-ndjson", ndjson(&log_lines(events)))
}

async fn read_log(api: &airflow_client::TaskInstanceApi) -> (Vec<String>, Option<Error>) {
    let Ok(GetLogResponse::Ndjson(mut lines)) = api
        .get_log(DAG, RUN, TASK, TryNumber(1), &ndjson_params())
        .await
    else {
        panic!("expected an NDJSON log");
    };
    let mut events = Vec::new();
    while let Some(line) = lines.next::<StructuredLogMessage>().await {
        match line {
            Ok(message) => events.push(message.event),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

#[tokio::test]
async fn a_cut_ndjson_log_is_read_again_skipping_the_lines_given() {
    let events = ["a", "b", "c", "d"];
    let server = MockServer::start().await;
    server.reply(cut_log(&events, 2, 5));
    server.reply(whole_log(&events));
    let api = client(&server.url(), policy(3)).task_instance();

    let (read, error) = read_log(&api).await;

    assert_eq!(
        (read, error.map(|e| e.to_string())),
        (
            vec!["a".to_string(), "b".into(), "c".into(), "d".into()],
            None
        )
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        server.requests()[0].target,
        server.requests()[1].target,
        "the same read again"
    );
}

#[tokio::test]
async fn a_log_cut_on_every_attempt_says_how_many_lines_came() {
    let events = ["a", "b", "c", "d"];
    let server = MockServer::start().await;
    server.reply(cut_log(&events, 1, 3));
    server.reply(cut_log(&events, 3, 3));
    let api = client(&server.url(), policy(2)).task_instance();

    let (read, error) = read_log(&api).await;

    assert_eq!(
        read,
        ["a", "b", "c"],
        "each line once, never a silent short end"
    );
    let error = error.expect("the cut is an error");
    assert!(
        matches!(
            error,
            Error::Incomplete {
                lines: Some(3),
                attempts: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("get_log: the connection closed after 3 lines ("),
        "{error}"
    );
}

/// A header whose sources change between reads, as Airflow 3.1's does once a deferred try
/// resumes.
fn source_header(source: &str) -> serde_json::Value {
    json!({"event": "::group::Log message source details", "sources": [source], "timestamp": null})
}

fn log_reply(lines: Vec<serde_json::Value>) -> Reply {
    Reply::status(200).body("application/x-ndjson", ndjson(&lines))
}

fn task_at(state: &str) -> Reply {
    Reply::json(
        200,
        &fixtures::with(
            fixtures::task_instance(),
            json!({"state": state, "try_number": 1}),
        ),
    )
}

#[tokio::test]
async fn follow_log_rides_out_failed_polls_and_repeats_no_line() {
    let first = log_lines(&["starting", "waiting"]);
    let all = log_lines(&["starting", "waiting", "resumed", "done"]);
    let with_header = |source: &str, lines: &[serde_json::Value]| {
        let mut out = vec![
            source_header(source),
            json!({"event": "::endgroup::", "timestamp": null}),
        ];
        out.extend(lines.iter().cloned());
        out
    };
    let server = MockServer::start().await;
    server.reply(Reply::json(503, &json!({"detail": "busy"})).header("retry-after", "0"));
    server.reply(task_at("running"));
    server.reply(log_reply(with_header("http://worker:8793/log", &first)));
    server.reply(task_at("deferred"));
    server.reply(log_reply(with_header("/logs/attempt=1.log", &first)).cut_body_at(40));
    server.reply(log_reply(with_header("/logs/attempt=1.log", &first)));
    server.reply(Reply::json(200, &fixtures::task_instance()).cut_body_at(30));
    server.reply(task_at("success"));
    server.reply(log_reply(with_header("/logs/attempt=1.log", &all)));
    let api = client(&server.url(), policy(3)).task_instance();
    let target =
        FollowLog::new(DAG, RUN, TASK, TryNumber(1)).poll_interval(Duration::from_millis(1));

    let events: Vec<String> = api
        .follow_log(target)
        .map_ok(|m| m.event)
        .try_collect()
        .await
        .expect("no poll fails for good");

    assert_eq!(
        events,
        [
            "::group::Log message source details",
            "::endgroup::",
            "starting",
            "waiting",
            "resumed",
            "done"
        ]
    );
}

#[tokio::test]
async fn follow_log_yields_a_lasting_failure_and_ends() {
    let server = MockServer::start().await;
    server.reply(task_at("running"));
    server.reply(whole_log(&["a"]));
    for _ in 0..2 {
        server.reply(Reply::json(503, &json!({"detail": "down"})));
    }
    let api = client(&server.url(), policy(2)).task_instance();
    let target =
        FollowLog::new(DAG, RUN, TASK, TryNumber(1)).poll_interval(Duration::from_millis(1));

    let results: Vec<_> = api.follow_log(target).collect().await;

    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().event, "a");
    assert_eq!(results[1].as_ref().unwrap_err().status(), Some(503));
}

// 5. One deadline per call.

#[tokio::test]
async fn a_retry_after_past_the_deadline_ends_the_call_with_the_answer() {
    let server = MockServer::start().await;
    server.reply(Reply::json(503, &json!({"detail": "maintenance"})).header("retry-after", "30"));
    let client = Client::builder(server.url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy {
            max_delay: Duration::from_secs(60),
            ..policy(5)
        })
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(503), "{error:?}");
    assert_eq!(error.detail().unwrap().to_string(), "maintenance");
    assert_eq!(
        server.requests().len(),
        1,
        "no wait that ends past the deadline"
    );
}

#[tokio::test]
async fn the_deadline_bounds_attempts_and_waits_together() {
    let server = MockServer::start().await;
    server.answer_with(|_| Reply::json(200, &fixtures::task_instance()));
    // Every answer comes late: each attempt times out, and retries would go on for 10 s.
    let plan = FaultPlan::new(7)
        .rate(1.0)
        .faults(vec![Fault::Delay(Duration::from_secs(1))]);
    let proxy = FaultProxy::start(&server.url(), plan).await;
    let client = Client::builder(proxy.url())
        .bearer_token(TOKEN)
        .timeout(Duration::from_millis(300))
        .deadline(Duration::from_millis(700))
        .retry_policy(policy(10))
        .build()
        .unwrap();

    let error = client
        .task_instance()
        .get_task_instance(DAG, RUN, TASK)
        .await
        .unwrap_err();

    match &error {
        Error::Deadline {
            operation,
            deadline,
            attempts,
            ..
        } => {
            assert_eq!(
                (*operation, *deadline),
                ("get_task_instance", Duration::from_millis(700))
            );
            assert!(
                (2..10).contains(attempts),
                "timed-out attempts were retried: {attempts}"
            );
        }
        other => panic!("expected Error::Deadline, got {other:?}"),
    }
    assert!(error.to_string().contains("deadline of 700ms"), "{error}");
}

// 6. Through a proxy that spoils a third of the requests, as a user's network might.

/// The answer to a request for a page of 500 mapped instances, or a log, or an instance.
fn answer(request: &Recorded) -> Reply {
    let target = &request.target;
    if target.contains("/logs/") {
        return whole_log(&LOG);
    }
    if let Some(query) = target.split_once("taskInstances?").map(|(_, q)| q) {
        let number = |name: &str| -> usize {
            let value = query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .unwrap_or("0");
            value.parse().unwrap_or(0)
        };
        let (offset, limit) = (number("offset"), number("limit").max(1));
        return page(
            offset,
            limit.min(500usize.saturating_sub(offset)),
            500,
            None,
        );
    }
    if request.method == "POST" {
        return Reply::json(200, &json!({"task_instances": [], "total_entries": 0}));
    }
    if target.ends_with("/version") {
        return version("3.1.8");
    }
    Reply::json(200, &fixtures::task_instance())
}

const LOG: [&str; 6] = ["one", "two", "three", "four", "five", "six"];

#[tokio::test]
async fn through_a_faulty_network_every_read_is_whole_and_every_item_comes_once() {
    let seed = 0x5eed_2026;
    let server = MockServer::start().await;
    server.answer_with(answer);
    let plan = FaultPlan::new(seed).faults(vec![
        Fault::Unavailable,
        Fault::Reset,
        Fault::CutBody,
        Fault::Delay(Duration::from_millis(20)),
    ]);
    let proxy = FaultProxy::start(&server.url(), plan).await;
    let api = client(&proxy.url(), policy(10)).task_instance();
    let expected = fixtures::task_instance()["task_id"].clone();

    for _ in 0..60 {
        let ti = api.get_task_instance(DAG, RUN, TASK).await;
        assert_eq!(
            ti.map(|ti| ti.task_id).ok().as_deref(),
            expected.as_str(),
            "seed {seed}"
        );
    }
    for _ in 0..6 {
        let items: Vec<_> = api
            .get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 50)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{e} (seed {seed})"));
        assert_eq!(
            map_indexes(&items),
            (0..500).collect::<Vec<_>>(),
            "seed {seed}"
        );
    }
    for _ in 0..20 {
        let (read, error) = read_log(&api).await;
        assert_eq!(
            (read.as_slice(), error.is_none()),
            (&LOG.map(String::from)[..], true),
            "seed {seed}"
        );
    }
    for _ in 0..5 {
        let target =
            FollowLog::new(DAG, RUN, TASK, TryNumber(1)).poll_interval(Duration::from_millis(1));
        let events: Vec<String> = api
            .follow_log(target)
            .map_ok(|m| m.event)
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("{e} (seed {seed})"));
        assert_eq!(events, LOG, "seed {seed}");
    }
    // The faults did happen, each kind many times.
    let injected = proxy.injected();
    for kind in [Fault::CutBody, Fault::Reset, Fault::Unavailable] {
        let count = injected.iter().filter(|(_, _, f)| *f == kind).count();
        assert!(count >= 5, "{kind:?} only {count} times (seed {seed})");
    }
}

#[tokio::test]
async fn through_a_faulty_network_a_post_is_sent_at_most_once_by_default() {
    let server = MockServer::start().await;
    server.answer_with(answer);
    let plan = FaultPlan::new(11).faults(vec![Fault::Unavailable, Fault::Reset, Fault::CutBody]);
    let proxy = FaultProxy::start(&server.url(), plan).await;
    let api = client(&proxy.url(), policy(10)).task_instance();
    let body = airflow_client::models::ClearTaskInstancesBody::default().dry_run(true);

    let mut failed = 0;
    for _ in 0..20 {
        if let Err(e) = api.post_clear_task_instances(DAG, &body).await {
            assert!(
                matches!(
                    e,
                    Error::Api(_)
                        | Error::Transport { attempts: 1, .. }
                        | Error::Incomplete { attempts: 1, .. }
                ),
                "{e:?}"
            );
            failed += 1;
        }
    }
    let injected = proxy.injected();
    assert_eq!(
        failed,
        injected.len(),
        "each fault fails its call, and only it (seed 11)"
    );
    // What reached the server, and the faults that kept a POST from it: one each, no repeat.
    let unsent = injected
        .iter()
        .filter(|(_, _, f)| *f != Fault::CutBody)
        .count();
    assert_eq!(server.requests().len() + unsent, 20, "(seed 11)");
}
