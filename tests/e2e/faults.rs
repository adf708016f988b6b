//! The stream and log checks once more, through a proxy that spoils a third of the API's
//! requests (a 503, a connection closed before the answer, a body cut in half, a 1.5 s delay),
//! with a 10-attempt retry policy: every read equals a direct one, every stream yields each
//! item once, every followed log each line once, and POSTs are not repeated.

use airflow_client::apis::TryNumber;
use std::collections::BTreeSet;
use std::time::Duration;

use airflow_client::apis::{GetLogParams, GetLogResponse, GetMappedTaskInstancesParams};
use airflow_client::logs::FollowLog;
use airflow_client::models::{ClearTaskInstancesBody, GetLogAccept, StructuredLogMessage};
use airflow_client::{Client, Error, RetryPolicy};
use airflow_codegen_tests::faults::{FaultPlan, FaultProxy};
use futures_util::TryStreamExt;

use crate::world::{e2e, World, POOL_DAG, STARVED, TI_DAG};

/// The seed of the faults; a failure names it, and the same seed spoils the same requests.
const SEED: u64 = 0x00a1_f10e;

/// A client through a fresh fault proxy, retrying ten times.
async fn through_faults(world: &World, seed: u64) -> (FaultProxy, Client) {
    let proxy = FaultProxy::start(world.url(), FaultPlan::new(seed)).await;
    let client = Client::builder(proxy.url())
        .timeout(Duration::from_secs(60))
        .retry_policy(RetryPolicy {
            attempts: 10,
            ..RetryPolicy::default()
        })
        .login(world.user(), world.password())
        .await
        .expect("logs in through the proxy");
    (proxy, client)
}

#[test]
fn through_faults_every_get_equals_a_direct_read() {
    e2e(|world| async move {
        let direct = world.client().await.task_instance();
        let (proxy, client) = through_faults(world, SEED).await;
        let api = client.task_instance();
        let expected = direct
            .get_task_instance(TI_DAG, &world.pristine, "flaky")
            .await
            .unwrap();
        for _ in 0..60 {
            let ti = api
                .get_task_instance(TI_DAG, &world.pristine, "flaky")
                .await
                .unwrap_or_else(|e| panic!("{e} (seed {SEED})"));
            assert_eq!(ti, expected, "seed {SEED}");
        }
        assert!(
            proxy.injected().len() >= 10,
            "faults were injected: {proxy:?}"
        );
    });
}

#[test]
fn through_faults_every_stream_yields_each_item_once() {
    e2e(|world| async move {
        let seed = SEED + 1;
        let (proxy, client) = through_faults(world, seed).await;
        let api = client.task_instance();
        for page_size in [40, 100, 250] {
            let params = GetMappedTaskInstancesParams::default();
            let all: Vec<_> = api
                .get_mapped_task_instances_stream(
                    POOL_DAG,
                    &world.starved,
                    "starved",
                    params,
                    page_size,
                )
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{e} (seed {seed})"));
            let indexes: Vec<i64> = all.iter().map(|ti| ti.map_index).collect();
            let unique: BTreeSet<i64> = indexes.iter().copied().collect();
            assert_eq!(indexes.len(), unique.len(), "no item twice (seed {seed})");
            assert_eq!(unique, (0..STARVED).collect(), "every item (seed {seed})");
        }
        for page_size in [50, 120, 500] {
            let params = airflow_client::apis::GetTaskInstancesParams::default();
            let all: Vec<_> = api
                .get_task_instances_stream(POOL_DAG, &world.starved, params, page_size)
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{e} (seed {seed})"));
            let indexes: BTreeSet<i64> = all.iter().map(|ti| ti.map_index).collect();
            assert_eq!(
                (all.len(), indexes),
                (STARVED as usize, (0..STARVED).collect()),
                "each item once (seed {seed})"
            );
        }
        assert!(
            proxy.injected().len() >= 5,
            "faults were injected: {proxy:?}"
        );
    });
}

/// The events of an NDJSON log read, and the error that ended it early, if one did.
async fn read_ndjson(
    api: &airflow_client::TaskInstanceApi,
    run: &str,
) -> (Vec<String>, Option<Error>) {
    let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
    let mut lines = match api
        .get_log(TI_DAG, run, "flaky", TryNumber(2), &params)
        .await
    {
        Ok(GetLogResponse::Ndjson(lines)) => lines,
        Ok(other) => panic!("asked for NDJSON, got {other:?}"),
        Err(e) => return (Vec::new(), Some(e)),
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

#[test]
fn through_faults_logs_are_whole_and_followed_logs_give_each_line_once() {
    e2e(|world| async move {
        let seed = SEED + 2;
        let direct = world.client().await.task_instance();
        let (proxy, client) = through_faults(world, seed).await;
        let api = client.task_instance();

        let (expected, none) = read_ndjson(&direct, &world.pristine).await;
        assert!(
            none.is_none() && expected.len() > 5,
            "{expected:?} {none:?}"
        );
        for _ in 0..20 {
            let (events, error) = read_ndjson(&api, &world.pristine).await;
            assert_eq!(
                (&events, error.map(|e| e.to_string())),
                (&expected, None),
                "seed {seed}"
            );
        }
        for _ in 0..5 {
            let target = FollowLog::new(TI_DAG, &world.pristine, "flaky", TryNumber(2))
                .poll_interval(Duration::from_millis(200));
            let events: Vec<String> = api
                .follow_log(target)
                .map_ok(|m| m.event)
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{e} (seed {seed})"));
            assert_eq!(events, expected, "each line once (seed {seed})");
        }
        assert!(
            proxy.injected().len() >= 5,
            "faults were injected: {proxy:?}"
        );
    });
}

#[test]
fn through_faults_a_post_is_not_repeated_by_default() {
    e2e(|world| async move {
        let seed = SEED + 3;
        let direct = world.client().await.task_instance();
        let (proxy, client) = through_faults(world, seed).await;
        let api = client.task_instance();
        let body = ClearTaskInstancesBody::default()
            .dag_run_id(world.pristine.clone())
            .only_failed(false)
            .dry_run(true);
        let expected = direct
            .post_clear_task_instances(TI_DAG, &body)
            .await
            .unwrap();
        assert!(!expected.task_instances.is_empty());
        let mut failed = 0;
        for _ in 0..20 {
            match api.post_clear_task_instances(TI_DAG, &body).await {
                Ok(answer) => assert_eq!(answer, expected, "seed {seed}"),
                Err(e) => {
                    assert!(
                        matches!(
                            &e,
                            Error::Api(_)
                                | Error::Transport { attempts: 1, .. }
                                | Error::Incomplete { attempts: 1, .. }
                        ),
                        "{e:?} (seed {seed})"
                    );
                    failed += 1;
                }
            }
        }
        // A delay spoils a request without failing it.
        let failing = proxy
            .injected()
            .iter()
            .filter(|(_, _, f)| !matches!(f, airflow_codegen_tests::faults::Fault::Delay(_)))
            .count();
        assert_eq!(
            failed, failing,
            "each fault fails its one call (seed {seed})"
        );
    });
}
