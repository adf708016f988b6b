//! The client's own conveniences against the live server: paging streams over many mapped
//! instances and following a log to its end.

use airflow_client::apis::TryNumber;
use std::collections::BTreeSet;
use std::time::Duration;

use airflow_client::apis::{
    DeleteTaskInstanceParams, GetLogParams, GetMappedTaskInstancesParams, GetTaskInstancesParams,
};
use airflow_client::logs::FollowLog;
use airflow_client::models::GetLogAccept;
use futures_util::TryStreamExt;

use airflow_client::models::TaskInstanceState;
use airflow_client::Client;

use crate::raw;
use crate::world::{e2e, eventually, World, POOL_DAG, SLOW_LOG_DAG, STARVED, TICKS, TI_DAG};

#[test]
fn a_stream_pages_through_every_mapped_instance() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = client.task_instance();
        let params = GetMappedTaskInstancesParams::default();
        // 40 a page: seven requests for the 250 starved instances.
        let all: Vec<_> = api
            .get_mapped_task_instances_stream(POOL_DAG, &world.starved, "starved", &params, 40)
            .try_collect()
            .await
            .expect("every page decodes");

        assert_eq!(all.len() as i64, STARVED);
        let indexes: BTreeSet<i64> = all.iter().map(|ti| ti.map_index).collect();
        assert_eq!(
            indexes,
            (0..STARVED).collect::<BTreeSet<_>>(),
            "each map index once"
        );
        assert!(all.iter().all(|ti| ti.pool == "e2e_zero_slots"));
    });
}

#[test]
fn follow_log_reads_a_finished_try_to_its_end() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = client.task_instance();
        let target = FollowLog::new(TI_DAG, &world.pristine, "flaky", TryNumber(2))
            .poll_interval(Duration::from_millis(200));

        let events: Vec<String> = api
            .follow_log(target)
            .map_ok(|m| m.event)
            .try_collect()
            .await
            .expect("follows");

        assert!(events.iter().any(|e| e == "e2e: flaky try 2"), "{events:?}");
        assert!(
            events
                .iter()
                .any(|e| e == "Done. Returned value was: recovered"),
            "{events:?}"
        );
        let unique: BTreeSet<&String> = events.iter().filter(|e| e.starts_with("e2e:")).collect();
        assert_eq!(
            unique.len(),
            events.iter().filter(|e| e.starts_with("e2e:")).count(),
            "no line twice: {events:?}"
        );
    });
}

/// A try followed from before it begins and while it writes its log: every line comes exactly
/// once, though each read of a running try's log is the whole log again.
#[test]
fn follow_log_yields_each_line_of_a_running_try_once() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = client.task_instance();
        // Followed from the moment the run is triggered: the try has not begun yet.
        let run = new_run(world, &client, SLOW_LOG_DAG, "slow").await;
        let target = FollowLog::new(SLOW_LOG_DAG, &run, "tick", TryNumber(1))
            .poll_interval(Duration::from_secs(1));

        let events: Vec<String> = api
            .follow_log(target)
            .map_ok(|m| m.event)
            .try_collect()
            .await
            .expect("follows");

        let ticks: Vec<&String> = events
            .iter()
            .filter(|e| e.starts_with("e2e: tick "))
            .collect();
        let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
        let finished: Vec<String> = api
            .get_log(SLOW_LOG_DAG, &run, "tick", TryNumber(1), &params)
            .await
            .unwrap()
            .messages()
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.event)
            .collect();
        crate::check::assert_each_line_once(&events, &finished);
        let expected: Vec<String> = (1..=TICKS).map(|i| format!("e2e: tick {i}")).collect();
        assert_eq!(
            ticks,
            expected.iter().collect::<Vec<_>>(),
            "each line once, in order: {events:?}"
        );
        let state = api
            .get_task_instance(SLOW_LOG_DAG, &run, "tick")
            .await
            .unwrap()
            .state;
        assert_eq!(
            state,
            Some(TaskInstanceState::Success),
            "followed to the end of the try"
        );
    });
}

/// A stream over a run whose instances are being deleted behind it: where the server has
/// keyset cursors (3.2.2 and later) every instance that remains is yielded exactly once; an
/// older server's offset pages would skip some, so there the run stays unchanged and the
/// stream still yields every instance once.
#[test]
fn a_stream_loses_nothing_while_seen_instances_are_deleted() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = client.task_instance();
        let run = new_run(world, &client, POOL_DAG, "cursor").await;
        eventually(
            "the mapped instances to exist",
            Duration::from_secs(240),
            || {
                let api = &api;
                let run = &run;
                async move {
                    let params = GetTaskInstancesParams::default().limit(1);
                    let page = api.get_task_instances(POOL_DAG, run, &params).await;
                    Ok(page.map_err(|e| e.to_string())?.total_entries == Some(STARVED))
                }
            },
        )
        .await
        .unwrap();
        let deleting = client.supports("3.2.2").await;

        let mut stream =
            api.get_task_instances_stream(POOL_DAG, &run, GetTaskInstancesParams::default(), 40);
        let mut seen = Vec::new();
        while let Some(ti) = stream.try_next().await.expect("every page decodes") {
            seen.push(ti.map_index);
            // Between pages, everything yielded so far goes (the stream has not asked for
            // the next page yet: it holds one page at a time).
            if deleting && seen.len() % 40 == 0 {
                for index in &seen[seen.len() - 40..] {
                    let params = DeleteTaskInstanceParams::default().map_index(*index);
                    api.delete_task_instance(POOL_DAG, &run, "starved", &params)
                        .await
                        .expect("deletes");
                }
            }
        }

        let unique: BTreeSet<i64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "no instance twice");
        assert_eq!(
            unique,
            (0..STARVED).collect::<BTreeSet<_>>(),
            "every instance"
        );
    });
}

/// A new run of `dag` for one test, named `PREFIX__` and the suite's stamp.
async fn new_run(world: &World, client: &Client, dag: &str, prefix: &str) -> String {
    let run = format!(
        "{prefix}__{}",
        world.pristine.trim_start_matches("manual__")
    );
    raw::trigger(client, dag, &run).await.unwrap();
    run
}
