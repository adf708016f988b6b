//! Paged lists as streams: every item, one page at a time, stopping at the total.

use airflow_client::apis::TryNumber;
use airflow_client::apis::{GetHitlDetailsParams, GetTaskInstancesParams};
use futures_util::TryStreamExt;
use serde_json::json;

use super::*;

/// `count` task instances, at map indexes from `first` on.
fn instances(first: usize, count: usize) -> Vec<serde_json::Value> {
    (first..first + count)
        .map(|i| {
            let mut ti = fixtures::task_instance();
            ti["map_index"] = json!(i);
            ti
        })
        .collect()
}

/// A page of `count` task instances starting at map index `first`, out of `total`.
fn page(first: usize, count: usize, total: usize) -> Reply {
    let items = instances(first, count);
    Reply::json(
        200,
        &json!({"task_instances": items, "total_entries": total}),
    )
}

#[tokio::test]
async fn five_thousand_items_stream_in_pages() {
    let (total, size) = (5_000, 1_000);
    // A server older than the cursor: pages by offset.
    let replies: Vec<Reply> = std::iter::once(version("3.1.8"))
        .chain((0..total / size).map(|p| page(p * size, size, total)))
        .collect();
    let (server, api) = serve(replies).await;
    let params = GetTaskInstancesParams::default().state(["success"]);

    let items: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, &params, size as i64)
        .try_collect()
        .await
        .expect("streams");

    assert_eq!(items.len(), total);
    assert!(
        items
            .iter()
            .enumerate()
            .all(|(i, ti)| ti.map_index == i as i64),
        "in order, none twice"
    );
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    let expected: Vec<String> = std::iter::once("/api/v2/version".to_string())
        .chain((0..5).map(|p| {
            format!(
                "{}/taskInstances?state=success&limit=1000&offset={}",
                RUN_PATH,
                p * size
            )
        }))
        .collect();
    assert_eq!(targets, expected, "stops at the total: no sixth request");
}

#[tokio::test]
async fn a_stream_starts_at_the_given_offset_and_stops_on_an_empty_page() {
    let replies = [page(10, 3, 20), page(13, 0, 20)];
    let (server, api) = serve(replies).await;
    let params = GetTaskInstancesParams::default().offset(10);

    let items: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, &params, 5)
        .try_collect()
        .await
        .expect("streams");

    assert_eq!(
        items.iter().map(|t| t.map_index).collect::<Vec<_>>(),
        [10, 11, 12]
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_with_the_error() {
    let replies = [
        version("3.1.8"),
        page(0, 2, 6),
        Reply::json(500, &json!({"detail": "boom"})),
    ];
    let (_server, api) = serve(replies).await;
    let client_params = GetTaskInstancesParams::default();
    let mut stream = api.get_task_instances_stream(DAG, RUN, &client_params, 2);

    let mut seen = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("the stream ended without the error"),
            Err(e) => break e,
        }
    };
    assert_eq!((seen, error.status()), (2, Some(500)));
}

#[tokio::test]
async fn hitl_details_stream_too() {
    let detail = fixtures::hitl_detail();
    let body = json!({"hitl_details": [detail.clone(), detail], "total_entries": 2});
    let (server, api) = serve([Reply::json(200, &body)]).await;

    let items: Vec<_> = api
        .get_hitl_details_stream(DAG, RUN, GetHitlDetailsParams::default(), 10)
        .try_collect()
        .await
        .expect("streams");

    assert_eq!(items.len(), 2);
    assert_eq!(
        server.requests().len(),
        1,
        "the total is reached on the first page"
    );
}

/// Everything the crate returns moves into a spawned task when its inputs are owned: an
/// operation's future, a `_stream` twin (built from a temporary `&Params`, as the plain call
/// is), `follow_log`, and an NDJSON log stream. `tokio::spawn` takes only `Send + 'static`
/// futures, so this compiles only while that holds.
#[tokio::test]
async fn futures_and_streams_move_into_spawned_tasks() {
    use airflow_client::apis::{GetLogParams, GetLogResponse};
    use airflow_client::logs::FollowLog;
    use airflow_client::models::{GetLogAccept, StructuredLogMessage};

    let (_server, api) = serve([
        Reply::json(200, &fixtures::task_instance()),
        version("3.1.8"),
        page(0, 3, 3),
        super::logs::task_in_state("success"),
        super::logs::ndjson_reply(&["one", "two"], None),
        super::logs::ndjson_reply(&["three"], None),
    ])
    .await;

    let one = tokio::spawn({
        let api = api.clone();
        async move { api.get_task_instance(DAG, RUN, TASK).await }
    });
    assert_eq!(one.await.unwrap().unwrap().task_id, TASK);

    let stream = api.get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 3);
    let all = tokio::spawn(async move { stream.try_collect::<Vec<_>>().await });
    assert_eq!(all.await.unwrap().unwrap().len(), 3);

    let log = api.follow_log(
        FollowLog::new(DAG, RUN, TASK, TryNumber(1))
            .poll_interval(std::time::Duration::from_millis(1)),
    );
    let followed =
        tokio::spawn(async move { log.map_ok(|m| m.event).try_collect::<Vec<_>>().await });
    assert_eq!(followed.await.unwrap().unwrap(), ["one", "two"]);

    let lines = tokio::spawn({
        let api = api.clone();
        async move {
            let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
            match api.get_log(DAG, RUN, TASK, TryNumber(1), &params).await? {
                GetLogResponse::Ndjson(lines) => lines.collect::<StructuredLogMessage>().await,
                GetLogResponse::Json(_) => panic!("asked for NDJSON"),
            }
        }
    });
    assert_eq!(lines.await.unwrap().unwrap()[0].event, "three");
}

/// A page of `count` instances from map index `first`, of `total`, pointing at `next`.
fn cursor_page(first: usize, count: usize, total: i64, next: Option<&str>) -> Reply {
    let items = instances(first, count);
    Reply::json(
        200,
        &json!({"task_instances": items, "total_entries": total, "next_cursor": next, "previous_cursor": null}),
    )
}

/// A server that has the cursor: the stream follows `next_cursor` from an empty one, so
/// items added or removed behind it while it runs cost nothing.
#[tokio::test]
async fn a_server_with_cursors_is_paged_by_cursor() {
    let (server, api) = serve([
        version("3.3.2"),
        cursor_page(0, 2, 5, Some("b2Zmc2V0PTI=")),
        cursor_page(2, 2, 5, Some("b2Zmc2V0PTQ=")),
        cursor_page(4, 1, 5, None),
    ])
    .await;

    let items: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 2)
        .try_collect()
        .await
        .expect("streams");

    assert_eq!(
        items.iter().map(|t| t.map_index).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/api/v2/version".to_string(),
            format!("{RUN_PATH}/taskInstances?cursor=&limit=2"),
            format!("{RUN_PATH}/taskInstances?cursor=b2Zmc2V0PTI%3D&limit=2"),
            format!("{RUN_PATH}/taskInstances?cursor=b2Zmc2V0PTQ%3D&limit=2"),
        ]
    );
}

/// An empty `next_cursor` is where a cursor stream starts, so following it would read the
/// run again forever: it ends the stream like a missing one.
#[tokio::test]
async fn an_empty_next_cursor_ends_the_stream() {
    let (server, api) = serve([
        version("3.3.2"),
        cursor_page(0, 2, 4, Some("b2Zmc2V0PTI=")),
        cursor_page(2, 2, 4, Some("")),
        cursor_page(0, 2, 4, Some("b2Zmc2V0PTI=")),
    ])
    .await;

    let items: Vec<_> = api
        .get_task_instances_stream(DAG, RUN, GetTaskInstancesParams::default(), 2)
        .try_collect()
        .await
        .expect("streams");

    assert_eq!(
        items.iter().map(|t| t.map_index).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(server.requests().len(), 3, "the version and two pages");
}
