//! Operations that read task instances, their tries, dependencies and links.

use airflow_client::apis::MapIndex;
use airflow_client::apis::TaskTryNumber;
use airflow_client::apis::{
    GetExtraLinksParams, GetMappedTaskInstancesParams, GetTaskInstanceDependenciesParams,
    GetTaskInstanceTriesParams, GetTaskInstanceTryDetailsParams, GetTaskInstancesParams,
};
use airflow_client::models::{TaskInstanceState, TaskInstancesBatchBody};
use serde_json::json;

use super::fixtures::{self, with};
use super::*;

#[tokio::test]
async fn get_task_instance_decodes_nulls_dag_version_and_rendered_fields() {
    let (server, api) = serve_json(200, fixtures::task_instance()).await;

    let ti = api
        .get_task_instance(DAG, RUN, TASK)
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path(""));
    assert_eq!(ti.id.to_string(), "0194c3a8-5e1d-7a2b-9c3d-4e5f60718293");
    assert_eq!((ti.task_id.as_str(), ti.dag_run_id.as_str()), (TASK, RUN));
    assert_eq!(ti.map_index, -1);
    assert_eq!(ti.state, Some(TaskInstanceState::Success));
    assert_eq!(ti.start_date, Some(at("2024-01-01T00:00:05.123456Z")));
    assert_eq!(ti.run_after, at("2024-01-01T00:00:00Z"));
    assert_eq!(ti.duration, Some(65.530865));
    assert_eq!(ti.pid, Some(48213));
    assert_eq!(
        (ti.executor, ti.note, ti.rendered_map_index),
        (None, None, None)
    );
    assert_eq!((ti.trigger, ti.triggerer_job), (None, None));
    let version = ti.dag_version.expect("a dag version");
    assert_eq!(
        version.id.to_string(),
        "0193f6a1-2b3c-7d4e-8f90-a1b2c3d4e5f6"
    );
    assert_eq!(version.version_number, 4);
    assert_eq!(version.bundle_name.as_deref(), Some("dags-folder"));
    assert_eq!((version.bundle_version, version.bundle_url), (None, None));
    let fields = ti.rendered_fields.expect("rendered fields");
    assert_eq!(
        fields["op_kwargs"],
        json!({"source": "s3://raw/2024-01-01/", "limit": 5000})
    );
    assert_eq!(fields["templates_dict"], json!(null));
}

#[tokio::test]
async fn get_mapped_task_instance_decodes_an_unknown_state() {
    let (server, api) = serve_json(200, fixtures::mapped_task_instance(7)).await;

    let ti = api
        .get_mapped_task_instance(DAG, RUN, TASK, MapIndex(7))
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path("/7"));
    assert_eq!(ti.map_index, 7);
    assert_eq!(
        ti.state,
        Some(TaskInstanceState::Unknown("some_future_state".into()))
    );
    assert_eq!(ti.rendered_map_index.as_deref(), Some("partition=7"));
    assert_eq!(
        (ti.logical_date, ti.start_date, ti.queued_when),
        (None, None, None)
    );
    assert_eq!((ti.hostname, ti.priority_weight), (None, None));
    assert_eq!(ti.dag_version, None);
}

#[tokio::test]
async fn get_task_instances_sends_only_the_filters_set() {
    let body = fixtures::collection(vec![
        fixtures::task_instance(),
        fixtures::deferred_task_instance(),
    ]);
    let (server, api) = serve_json_after_version(200, body).await;
    let params = GetTaskInstancesParams::default()
        .limit(5)
        .state(["failed", "up_for_retry"])
        .start_date_gte(at("2024-01-01T00:00:00Z"))
        .run_after_lt(at("2024-01-02T12:30:00.250Z"))
        .duration_gte(1.5)
        .duration_lte(60.0)
        .task_display_name_pattern("extract%")
        .pool(["default_pool", "etl pool"])
        .map_index([-1, 0])
        .order_by(["-start_date", "map_index"]);

    let page = api
        .get_task_instances(DAG, RUN, &params)
        .await
        .expect("decodes");

    let query = "run_after_lt=2024-01-02T12%3A30%3A00.250Z\
        &start_date_gte=2024-01-01T00%3A00%3A00Z\
        &duration_gte=1.5\
        &duration_lte=60\
        &task_display_name_pattern=extract%25\
        &state=failed&state=up_for_retry\
        &pool=default_pool&pool=etl%20pool\
        &map_index=-1&map_index=0\
        &limit=5\
        &order_by=-start_date&order_by=map_index";
    let target = format!("{RUN_PATH}/taskInstances?{query}");
    assert_no_body(&only_request_after_version(&server), "GET", &target);
    assert_eq!(page.total_entries, Some(2));
    assert_eq!((page.next_cursor, page.previous_cursor), (None, None));
    let deferred = &page.task_instances[1];
    assert_eq!(deferred.state, Some(TaskInstanceState::Deferred));
    assert_eq!(deferred.end_date, None);
    assert_eq!(
        deferred.note.as_deref(),
        Some("waiting on the partner upload")
    );
    let trigger = deferred.trigger.as_ref().expect("a trigger");
    assert_eq!(
        trigger.classpath,
        "airflow.providers.standard.triggers.file.FileTrigger"
    );
    assert_eq!(
        (trigger.queue.as_deref(), trigger.triggerer_id),
        (None, Some(3))
    );
    assert_eq!(trigger.created_date, at("2024-01-01T00:00:07.004Z"));
    let job = deferred.triggerer_job.as_ref().expect("a triggerer job");
    assert_eq!(job.job_type.as_deref(), Some("TriggererJob"));
    assert_eq!((job.dag_id.as_deref(), job.end_date), (None, None));
    assert_eq!(job.latest_heartbeat, Some(at("2024-01-01T00:00:58.3Z")));
    assert_eq!(job.dag_display_name, None);
}

#[tokio::test]
async fn get_task_instances_without_params_sends_no_query() {
    let (server, api) = serve_json(200, fixtures::collection(vec![])).await;

    let page = api
        .get_task_instances(DAG, RUN, &GetTaskInstancesParams::default())
        .await
        .expect("decodes");

    let target = format!("{RUN_PATH}/taskInstances");
    assert_no_body(&only_request(&server), "GET", &target);
    assert!(page.task_instances.is_empty());
}

#[tokio::test]
async fn get_task_instances_across_all_runs_with_a_first_page_cursor() {
    let body = json!({
        "task_instances": [fixtures::task_instance(), fixtures::mapped_task_instance(0)],
        "total_entries": 1000,
        "total_entries_limit": 1000,
        "next_cursor": "eyJpZCI6ICIwMTk0YzNhOCJ9",
        "previous_cursor": null
    });
    let (server, api) = serve_json_after_version(200, body).await;
    let params = GetTaskInstancesParams::default().cursor("").limit(2);

    let page = api
        .get_task_instances("~", "~", &params)
        .await
        .expect("decodes");

    let target = "/api/v2/dags/~/dagRuns/~/taskInstances?cursor=&limit=2";
    assert_no_body(&only_request_after_version(&server), "GET", target);
    assert_eq!(page.task_instances.len(), 2);
    assert_eq!(
        (page.total_entries, page.total_entries_limit),
        (Some(1000), Some(1000))
    );
    assert_eq!(
        page.next_cursor.as_deref(),
        Some("eyJpZCI6ICIwMTk0YzNhOCJ9")
    );
    assert_eq!(page.previous_cursor, None);
}

#[tokio::test]
async fn get_mapped_task_instances_filters_and_decodes() {
    let body = fixtures::collection(vec![
        fixtures::mapped_task_instance(0),
        fixtures::mapped_task_instance(1),
    ]);
    let (server, api) = serve_json_after_version(200, body).await;
    let params = GetMappedTaskInstancesParams::default()
        .updated_at_gte(at("2024-01-01T06:00:00Z"))
        .state(["success", "none"])
        .try_number([1, 2])
        .limit(100)
        .offset(100);

    let page = api
        .get_mapped_task_instances(DAG, RUN, TASK, &params)
        .await
        .expect("decodes");

    let query = "updated_at_gte=2024-01-01T06%3A00%3A00Z\
        &state=success&state=none\
        &try_number=1&try_number=2\
        &limit=100&offset=100";
    let target = ti_path(&format!("/listMapped?{query}"));
    assert_no_body(&only_request_after_version(&server), "GET", &target);
    let indexes: Vec<_> = page.task_instances.iter().map(|ti| ti.map_index).collect();
    assert_eq!(indexes, [0, 1]);
    assert_eq!(
        page.task_instances[1].rendered_map_index.as_deref(),
        Some("partition=1")
    );
}

#[tokio::test]
async fn get_task_instances_batch_posts_its_filters_to_the_wildcard_path() {
    let failed = with(fixtures::task_instance(), json!({"state": "failed"}));
    let (server, api) = serve_json_after_version(200, fixtures::collection(vec![failed])).await;
    let body = TaskInstancesBatchBody::default()
        .dag_ids([DAG])
        .state([
            Some(TaskInstanceState::Failed),
            Some(TaskInstanceState::UpstreamFailed),
            None,
        ])
        .start_date_gte(at("2024-01-01T00:00:00Z"))
        .duration_gt(30.5)
        .pool_null()
        .page_limit(50)
        .order_by("-start_date");

    let page = api.get_task_instances_batch(&body).await.expect("decodes");

    let expected = json!({
        "dag_ids": ["etl_daily"],
        "state": ["failed", "upstream_failed", null],
        "start_date_gte": "2024-01-01T00:00:00Z",
        "duration_gt": 30.5,
        "pool": null,
        "page_limit": 50,
        "order_by": "-start_date"
    });
    let target = "/api/v2/dags/~/dagRuns/~/taskInstances/list";
    assert_json_body(
        &only_request_after_version(&server),
        "POST",
        target,
        expected,
    );
    assert_eq!(
        page.task_instances[0].state,
        Some(TaskInstanceState::Failed)
    );
}

#[tokio::test]
async fn get_task_instance_tries_lists_history_rows() {
    let body = json!({
        "task_instances": [
            fixtures::task_instance_try(1, "failed"),
            fixtures::task_instance_try(2, "success")
        ],
        "total_entries": 2
    });
    let (server, api) = serve_json(200, body).await;
    let params = GetTaskInstanceTriesParams::default().map_index(-1);

    let tries = api
        .get_task_instance_tries(DAG, RUN, TASK, &params)
        .await
        .expect("decodes");

    assert_no_body(
        &only_request(&server),
        "GET",
        &ti_path("/tries?map_index=-1"),
    );
    assert_eq!(tries.total_entries, 2);
    let states: Vec<_> = tries
        .task_instances
        .iter()
        .map(|t| t.state.clone())
        .collect();
    assert_eq!(
        states,
        [
            Some(TaskInstanceState::Failed),
            Some(TaskInstanceState::Success)
        ]
    );
    let first = &tries.task_instances[0];
    assert_eq!(first.executor.as_deref(), Some("CeleryExecutor"));
    assert_eq!(first.scheduled_when, None);
    assert_eq!(first.end_date, Some(at("2024-01-01T00:00:03.5Z")));
}

#[tokio::test]
async fn get_mapped_task_instance_tries_decodes_a_null_state() {
    let body = json!({
        "task_instances": [
            with(fixtures::task_instance_try(1, "up_for_retry"), json!({"map_index": 3})),
            with(fixtures::task_instance_try(2, "x"), json!({"map_index": 3, "state": null,
                "end_date": null, "duration": null, "dag_version": null}))
        ],
        "total_entries": 2
    });
    let (server, api) = serve_json(200, body).await;

    let tries = api
        .get_mapped_task_instance_tries(DAG, RUN, TASK, MapIndex(3))
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path("/3/tries"));
    let [first, second] = &tries.task_instances[..] else {
        panic!("two tries: {tries:?}");
    };
    assert_eq!(first.state, Some(TaskInstanceState::UpForRetry));
    assert_eq!(
        (second.state.clone(), second.dag_version.clone()),
        (None, None)
    );
    assert_eq!(second.map_index, 3);
}

#[tokio::test]
async fn get_task_instance_try_details_decodes_one_try() {
    let (server, api) = serve_json(200, fixtures::task_instance_try(1, "failed")).await;
    let params = GetTaskInstanceTryDetailsParams::default().map_index(-1);

    let try_1 = api
        .get_task_instance_try_details(DAG, RUN, TASK, TaskTryNumber(1), &params)
        .await
        .expect("decodes");

    assert_no_body(
        &only_request(&server),
        "GET",
        &ti_path("/tries/1?map_index=-1"),
    );
    assert_eq!((try_1.try_number, try_1.max_tries), (1, 3));
    assert_eq!(try_1.state, Some(TaskInstanceState::Failed));
    assert_eq!(try_1.duration, Some(1.5));
    assert_eq!(
        try_1.dag_version.and_then(|v| v.dag_display_name),
        Some("ETL daily".to_string())
    );
}

#[tokio::test]
/// The arguments come in the order the spec declares them (`task_try_number`, then
/// `map_index`, as the Python client takes them), not in path order.
async fn get_mapped_task_instance_try_details_takes_the_try_then_the_map_index() {
    let body = with(
        fixtures::task_instance_try(2, "success"),
        json!({"map_index": 0}),
    );
    let (server, api) = serve_json(200, body).await;

    let try_2 = api
        .get_mapped_task_instance_try_details(DAG, RUN, TASK, TaskTryNumber(2), MapIndex(0))
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path("/0/tries/2"));
    assert_eq!((try_2.map_index, try_2.try_number), (0, 2));
    assert_eq!(
        try_2.hostname.as_deref(),
        Some("worker-2.airflow.svc.cluster.local")
    );
}

fn dependencies() -> serde_json::Value {
    json!({
        "dependencies": [
            {
                "name": "Trigger Rule",
                "reason": "Task's trigger rule 'all_success' requires all upstream tasks to have succeeded, but found 1 non-success(es). upstream_states=_UpstreamTIStates(success=0, skipped=0, failed=1, upstream_failed=0, removed=0, done=1, success_setup=0, skipped_setup=0), upstream_task_ids={'wait for file'}"
            },
            {
                "name": "Dagrun Running",
                "reason": "Task instance's dagrun was not in the 'running' state but in the state 'failed'."
            }
        ]
    })
}

#[tokio::test]
async fn get_task_instance_dependencies_decodes_the_reasons() {
    let (server, api) = serve_json(200, dependencies()).await;

    let deps = api
        .get_task_instance_dependencies(
            DAG,
            RUN,
            TASK,
            &GetTaskInstanceDependenciesParams::default().map_index(-1),
        )
        .await
        .expect("decodes");

    let target = ti_path("/dependencies?map_index=-1");
    assert_no_body(&only_request(&server), "GET", &target);
    let names: Vec<_> = deps.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Trigger Rule", "Dagrun Running"]);
    assert!(deps.dependencies[0]
        .reason
        .contains("upstream_task_ids={'wait for file'}"));
}

#[tokio::test]
async fn get_task_instance_dependencies_by_map_index_uses_the_path() {
    let (server, api) = serve_json(200, json!({"dependencies": []})).await;

    let deps = api
        .get_task_instance_dependencies_by_map_index(DAG, RUN, TASK, MapIndex(4))
        .await
        .expect("decodes");

    assert_no_body(&only_request(&server), "GET", &ti_path("/4/dependencies"));
    assert!(deps.dependencies.is_empty());
}

#[tokio::test]
async fn get_extra_links_decodes_links_without_a_url() {
    let body = json!({
        "extra_links": {
            "BigQuery Console": "https://console.cloud.google.com/bigquery?project=acme-data&j=bq:EU:airflow_1704067200_3f2a",
            "Dataproc Job": null
        },
        "total_entries": 2
    });
    let (server, api) = serve_json_after_version(200, body).await;
    let params = GetExtraLinksParams::default().map_index(-1).try_number(2);

    let links = api
        .get_extra_links(DAG, RUN, TASK, &params)
        .await
        .expect("decodes");

    let target = ti_path("/links?map_index=-1&try_number=2");
    assert_no_body(&only_request_after_version(&server), "GET", &target);
    assert_eq!(links.total_entries, 2);
    assert_eq!(links.extra_links["Dataproc Job"], None);
    assert!(links.extra_links["BigQuery Console"]
        .as_deref()
        .is_some_and(|url| url.starts_with("https://console.cloud.google.com/bigquery?")));
}
