//! Read-only operations, on the untouched run and on the starved run.

use airflow_client::apis::MapIndex;
use airflow_client::apis::TaskTryNumber;
use std::collections::{BTreeMap, BTreeSet};

use airflow_client::apis::task_instance::{
    GetExtraLinksParams, GetMappedTaskInstancesParams, GetTaskInstanceDependenciesParams,
    GetTaskInstanceTriesParams, GetTaskInstanceTryDetailsParams, GetTaskInstancesParams,
};
use airflow_client::apis::TaskInstanceApi;
use airflow_client::models::{TaskInstanceState, TaskInstancesBatchBody};

use crate::check::{api_error, detail, unsupported_parameter};
use crate::world::{e2e, POOL_DAG, STARVED, TI_DAG, TRIGGERED_DAG, ZERO_POOL};

/// Every task of `e2e_task_instances` and the state it ends a run in.
const FINAL_STATES: &[(&str, i64, TaskInstanceState)] = &[
    ("start", -1, TaskInstanceState::Success),
    ("square", 0, TaskInstanceState::Success),
    ("square", 1, TaskInstanceState::Success),
    ("square", 2, TaskInstanceState::Success),
    ("flaky", -1, TaskInstanceState::Success),
    ("choose", -1, TaskInstanceState::Success),
    ("branch_taken", -1, TaskInstanceState::Success),
    ("branch_skipped", -1, TaskInstanceState::Skipped),
    ("group.inner_a", -1, TaskInstanceState::Success),
    ("group.inner_b", -1, TaskInstanceState::Success),
    ("trigger", -1, TaskInstanceState::Success),
    ("end", -1, TaskInstanceState::Success),
];

#[test]
fn get_task_instance_of_a_plain_task() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let ti = api
            .get_task_instance(TI_DAG, &world.pristine, "start")
            .await
            .unwrap();
        assert_eq!(
            (ti.dag_id.as_str(), ti.dag_run_id.as_str()),
            (TI_DAG, world.pristine.as_str())
        );
        assert_eq!((ti.task_id.as_str(), ti.map_index), ("start", -1));
        assert_eq!(ti.state, Some(TaskInstanceState::Success));
        assert_eq!((ti.try_number, ti.max_tries), (1, 0));
        assert_eq!(ti.pool, "default_pool");
        // `operator_name` came in 3.1: an older server does not send it.
        let operator_name = world.at_least("3.1.0").then_some("@task");
        assert_eq!(ti.operator_name.as_deref(), operator_name);
        assert!(
            ti.start_date.is_some() && ti.end_date >= ti.start_date,
            "{ti:?}"
        );
        // Its sign is not checked: 3.1.8 once answered -56.158 for dates 1.8 s apart.
        assert!(ti.duration.is_some(), "{ti:?}");
        assert_eq!(ti.note, None);
    });
}

#[test]
fn get_task_instance_errors() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let mapped = api_error(
            api.get_task_instance(TI_DAG, &world.pristine, "square")
                .await,
            404,
        );
        assert_eq!(
            detail(&mapped),
            "Task instance is mapped, add the map_index value to the URL"
        );
        let missing = api_error(
            api.get_task_instance(TI_DAG, &world.pristine, "nosuch")
                .await,
            404,
        );
        assert!(
            detail(&missing).contains("task_id: `nosuch`"),
            "{}",
            detail(&missing)
        );
        assert_eq!(missing.operation, "get_task_instance");

        let anonymous = TaskInstanceApi::new(&world.anonymous());
        let unauthenticated = api_error(
            anonymous
                .get_task_instance(TI_DAG, &world.pristine, "start")
                .await,
            401,
        );
        assert_eq!(detail(&unauthenticated), "Not authenticated");
    });
}

#[test]
fn get_mapped_task_instances_lists_every_map_index() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let all = api
            .get_mapped_task_instances(
                TI_DAG,
                &world.pristine,
                "square",
                &GetMappedTaskInstancesParams::default(),
            )
            .await
            .unwrap();
        assert_eq!(all.total_entries, Some(3));
        let rendered: Vec<_> = all
            .task_instances
            .iter()
            .map(|ti| (ti.map_index, ti.rendered_map_index.clone()))
            .collect();
        assert_eq!(
            rendered,
            [
                (0, Some("0".into())),
                (1, Some("1".into())),
                (2, Some("2".into()))
            ]
        );
        assert!(all
            .task_instances
            .iter()
            .all(|ti| ti.state == Some(TaskInstanceState::Success)));

        let params = GetMappedTaskInstancesParams::default()
            .order_by(["-map_index"])
            .limit(2);
        let page = api
            .get_mapped_task_instances(TI_DAG, &world.pristine, "square", &params)
            .await
            .unwrap();
        assert_eq!(page.total_entries, Some(3));
        assert_eq!(
            page.task_instances
                .iter()
                .map(|ti| ti.map_index)
                .collect::<Vec<_>>(),
            [2, 1]
        );
    });
}

#[test]
fn get_mapped_task_instances_pages_through_the_starved_run() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetMappedTaskInstancesParams::default()
            .limit(10)
            .offset(STARVED - 5);
        let tail = api
            .get_mapped_task_instances(POOL_DAG, &world.starved, "starved", &params)
            .await
            .unwrap();
        assert_eq!(tail.total_entries, Some(STARVED));
        assert_eq!(
            tail.task_instances
                .iter()
                .map(|ti| ti.map_index)
                .collect::<Vec<_>>(),
            (STARVED - 5..STARVED).collect::<Vec<_>>()
        );
        for ti in &tail.task_instances {
            assert_eq!(
                (ti.state.clone(), ti.pool.as_str(), ti.try_number),
                (Some(TaskInstanceState::Scheduled), ZERO_POOL, 1)
            );
        }
    });
}

#[test]
fn get_mapped_task_instance_renders_its_input() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let ti = api
            .get_mapped_task_instance(TI_DAG, &world.pristine, "square", MapIndex(1))
            .await
            .unwrap();
        assert_eq!(
            (ti.task_id.as_str(), ti.map_index, ti.state),
            ("square", 1, Some(TaskInstanceState::Success))
        );
        let kwargs = &ti.rendered_fields.as_ref().expect("rendered fields")["op_kwargs"];
        assert_eq!(kwargs["x"], 2, "square 1 squares the second input");

        let missing = api_error(
            api.get_mapped_task_instance(TI_DAG, &world.pristine, "square", MapIndex(7))
                .await,
            404,
        );
        assert!(
            detail(&missing).contains("map_index: `7` was not found"),
            "{}",
            detail(&missing)
        );
    });
}

#[test]
fn get_task_instances_of_a_run() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetTaskInstancesParams::default().limit(100);
        let page = api
            .get_task_instances(TI_DAG, &world.pristine, &params)
            .await
            .unwrap();
        assert_eq!(page.total_entries, Some(FINAL_STATES.len() as i64));
        let found: BTreeMap<(String, i64), Option<TaskInstanceState>> = page
            .task_instances
            .into_iter()
            .map(|ti| ((ti.task_id, ti.map_index), ti.state))
            .collect();
        let expected: BTreeMap<(String, i64), Option<TaskInstanceState>> = FINAL_STATES
            .iter()
            .map(|(task, index, state)| ((task.to_string(), *index), Some(state.clone())))
            .collect();
        assert_eq!(found, expected);

        let group = GetTaskInstancesParams::default().task_group_id("group");
        let page = api
            .get_task_instances(TI_DAG, &world.pristine, &group)
            .await;
        // `task_group_id` came in 3.1.6: an older server would ignore it and list every task.
        if !world.at_least("3.1.6") {
            return unsupported_parameter(page, "task_group_id", "3.1.6", world.version());
        }
        let ids: BTreeSet<String> = page
            .unwrap()
            .task_instances
            .into_iter()
            .map(|ti| ti.task_id)
            .collect();
        assert_eq!(
            ids,
            BTreeSet::from(["group.inner_a".to_string(), "group.inner_b".to_string()])
        );
    });
}

#[test]
fn get_task_instances_across_dags_and_runs() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetTaskInstancesParams::default()
            .state(["skipped"])
            .run_id_pattern(world.pristine.clone());
        let page = api.get_task_instances("~", "~", &params).await;
        // `run_id_pattern` came in 3.2: an older server would ignore it and send the other
        // runs' skipped instances too.
        if world.at_least("3.2.0") {
            let page = page.unwrap();
            let skipped: Vec<_> = page
                .task_instances
                .iter()
                .map(|ti| (ti.dag_id.as_str(), ti.task_id.as_str()))
                .collect();
            assert_eq!(skipped, [(TI_DAG, "branch_skipped")]);
            assert!(page
                .task_instances
                .iter()
                .all(|ti| ti.state == Some(TaskInstanceState::Skipped)));
        } else {
            unsupported_parameter(page, "run_id_pattern", "3.2.0", world.version());
        }

        let bogus = api_error(
            api.get_task_instances(
                "~",
                "~",
                &GetTaskInstancesParams::default().state(["bogus"]),
            )
            .await,
            422,
        );
        // A 422 whose detail is a sentence, not FastAPI's list: the client keeps it as raw JSON.
        assert!(
            bogus.raw.contains("Invalid value for state"),
            "{}",
            bogus.raw
        );
    });
}

#[test]
fn get_task_instances_follows_cursors_over_the_starved_run() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let mut seen = BTreeSet::new();
        let mut cursor = String::new();
        for _page in 0..10 {
            let params = GetTaskInstancesParams::default()
                .cursor(cursor.clone())
                .limit(100);
            let page = api
                .get_task_instances(POOL_DAG, &world.starved, &params)
                .await;
            // An older server would ignore `cursor` and answer one offset page.
            if !world.at_least("3.2.2") {
                return unsupported_parameter(page, "cursor", "3.2.2", world.version());
            }
            let page = page.unwrap();
            // 3.3 counts up to a limit while paging by cursor; 3.2.2 leaves the total out.
            let total = world.at_least("3.3.0").then_some(STARVED);
            assert_eq!(page.total_entries, total);
            for ti in page.task_instances {
                assert!(
                    seen.insert(ti.map_index),
                    "map index {} came twice",
                    ti.map_index
                );
            }
            match page.next_cursor {
                Some(next) => cursor = next,
                None => break,
            }
        }
        assert_eq!(seen, (0..STARVED).collect::<BTreeSet<_>>());
    });
}

#[test]
fn get_task_instances_batch_filters_in_the_body() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let body = TaskInstancesBatchBody::default()
            .dag_ids([TI_DAG])
            .dag_run_ids([world.pristine.as_str()])
            .task_ids(["flaky", "branch_skipped"])
            .order_by("state");
        let page = api.get_task_instances_batch(&body).await.unwrap();
        let found: Vec<_> = page
            .task_instances
            .iter()
            .map(|ti| (ti.task_id.as_str(), ti.try_number, ti.state.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("branch_skipped", 0, Some(TaskInstanceState::Skipped)),
                ("flaky", 2, Some(TaskInstanceState::Success))
            ]
        );

        let by_state = TaskInstancesBatchBody::default()
            .dag_run_ids([world.pristine.as_str()])
            .state([TaskInstanceState::Skipped]);
        let page = api.get_task_instances_batch(&by_state).await.unwrap();
        assert_eq!(page.total_entries, Some(1));
    });
}

#[test]
fn get_task_instance_tries_shows_the_failed_and_the_retried_try() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let tries = api
            .get_task_instance_tries(
                TI_DAG,
                &world.pristine,
                "flaky",
                &GetTaskInstanceTriesParams::default(),
            )
            .await
            .unwrap();
        assert_eq!(tries.total_entries, 2);
        let found: Vec<_> = tries
            .task_instances
            .iter()
            .map(|t| (t.try_number, t.state.clone(), t.max_tries))
            .collect();
        assert_eq!(
            found,
            [
                (1, Some(TaskInstanceState::Failed), 1),
                (2, Some(TaskInstanceState::Success), 1)
            ]
        );
        assert!(tries.task_instances[0].end_date <= tries.task_instances[1].start_date);

        let mapped = GetTaskInstanceTriesParams::default().map_index(2);
        let tries = api
            .get_task_instance_tries(TI_DAG, &world.pristine, "square", &mapped)
            .await
            .unwrap();
        assert_eq!(
            tries
                .task_instances
                .iter()
                .map(|t| (t.map_index, t.try_number))
                .collect::<Vec<_>>(),
            [(2, 1)]
        );
    });
}

#[test]
fn get_mapped_task_instance_tries_of_one_map_index() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let tries = api
            .get_mapped_task_instance_tries(TI_DAG, &world.pristine, "square", MapIndex(1))
            .await
            .unwrap();
        assert_eq!(tries.total_entries, 1);
        let only = &tries.task_instances[0];
        assert_eq!(
            (only.map_index, only.try_number, only.state.clone()),
            (1, 1, Some(TaskInstanceState::Success))
        );
    });
}

#[test]
fn get_task_instance_try_details_of_each_try() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = GetTaskInstanceTryDetailsParams::default();
        let first = api
            .get_task_instance_try_details(
                TI_DAG,
                &world.pristine,
                "flaky",
                TaskTryNumber(1),
                &params,
            )
            .await
            .unwrap();
        assert_eq!(
            (first.try_number, first.state),
            (1, Some(TaskInstanceState::Failed))
        );
        let second = api
            .get_task_instance_try_details(
                TI_DAG,
                &world.pristine,
                "flaky",
                TaskTryNumber(2),
                &params,
            )
            .await
            .unwrap();
        assert_eq!(
            (second.try_number, second.state),
            (2, Some(TaskInstanceState::Success))
        );

        let third = api_error(
            api.get_task_instance_try_details(
                TI_DAG,
                &world.pristine,
                "flaky",
                TaskTryNumber(3),
                &params,
            )
            .await,
            404,
        );
        assert!(
            detail(&third).contains("try_number: `3`"),
            "{}",
            detail(&third)
        );
    });
}

#[test]
fn get_mapped_task_instance_try_details_of_one_map_index() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        // The try number, then the map index: the order the spec declares them in.
        let detail = api
            .get_mapped_task_instance_try_details(
                TI_DAG,
                &world.pristine,
                "square",
                TaskTryNumber(1),
                MapIndex(2),
            )
            .await
            .unwrap();
        assert_eq!(
            (detail.task_id.as_str(), detail.map_index, detail.try_number),
            ("square", 2, 1)
        );
        assert_eq!(detail.state, Some(TaskInstanceState::Success));
        api_error(
            api.get_mapped_task_instance_try_details(
                TI_DAG,
                &world.pristine,
                "square",
                TaskTryNumber(2),
                MapIndex(1),
            )
            .await,
            404,
        );
    });
}

#[test]
fn get_task_instance_dependencies_of_finished_and_starved_tasks() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let none = GetTaskInstanceDependenciesParams::default();
        let finished = api
            .get_task_instance_dependencies(TI_DAG, &world.pristine, "start", &none)
            .await
            .unwrap();
        assert!(finished.dependencies.is_empty(), "{finished:?}");

        let starved = GetTaskInstanceDependenciesParams::default().map_index(5);
        let blocked = api
            .get_task_instance_dependencies(POOL_DAG, &world.starved, "starved", &starved)
            .await
            .unwrap();
        assert_pool_is_the_blocker(&blocked.dependencies);
    });
}

#[test]
fn get_task_instance_dependencies_by_map_index_names_the_pool() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let blocked = api
            .get_task_instance_dependencies_by_map_index(
                POOL_DAG,
                &world.starved,
                "starved",
                MapIndex(249),
            )
            .await
            .unwrap();
        assert_pool_is_the_blocker(&blocked.dependencies);
        let finished = api
            .get_task_instance_dependencies_by_map_index(
                TI_DAG,
                &world.pristine,
                "square",
                MapIndex(2),
            )
            .await
            .unwrap();
        assert!(finished.dependencies.is_empty(), "{finished:?}");
    });
}

#[track_caller]
fn assert_pool_is_the_blocker(dependencies: &[airflow_client::models::TaskDependencyResponse]) {
    let found: Vec<_> = dependencies
        .iter()
        .map(|d| (d.name.as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(
        found,
        [(
            "Pool Slots Available",
            "Not scheduling since there are 0 open slots in pool e2e_zero_slots and require 1 pool slots"
        )]
    );
}

#[test]
fn get_extra_links_of_the_trigger_task() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let links = api
            .get_extra_links(
                TI_DAG,
                &world.pristine,
                "trigger",
                &GetExtraLinksParams::default(),
            )
            .await
            .unwrap();
        assert_eq!(links.total_entries, 1);
        let expected = format!(
            "{}/dags/{TRIGGERED_DAG}/runs/triggered__{}",
            world.url(),
            world.pristine
        );
        assert_eq!(
            links.extra_links.get("Triggered DAG"),
            Some(&Some(expected))
        );

        let plain = GetExtraLinksParams::default().map_index(1);
        let none = api
            .get_extra_links(TI_DAG, &world.pristine, "square", &plain)
            .await
            .unwrap();
        assert_eq!((none.total_entries, none.extra_links.len()), (0, 0));
        let missing = api_error(
            api.get_extra_links(
                TI_DAG,
                &world.pristine,
                "nosuch",
                &GetExtraLinksParams::default(),
            )
            .await,
            404,
        );
        // 3.2.2 and 3.3 look the instance up; 3.1.8 and 3.0.6 the task.
        let expected = if world.at_least("3.2.2") {
            "TaskInstance not found"
        } else {
            "Task with ID = nosuch not found"
        };
        assert_eq!(detail(&missing), expected);
    });
}
