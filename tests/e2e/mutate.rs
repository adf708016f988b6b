//! Operations that change task instances. Dry runs use the untouched run (and check it stays
//! untouched); real changes use the `mutated` run, each test its own tasks, so the order the
//! tests run in does not matter; the clear test reruns a task in the `cleared` run.

use airflow_client::apis::MapIndex;
use std::collections::BTreeSet;

use airflow_client::apis::task_instance::{
    DeleteTaskInstanceParams, GetTaskInstanceTriesParams, GetTaskInstancesParams,
    PatchTaskGroupInstancesParams, PatchTaskInstanceByMapIndexParams,
    PatchTaskInstanceDryRunByMapIndexParams, PatchTaskInstanceDryRunParams,
    PatchTaskInstanceParams,
};
use airflow_client::apis::TaskInstanceApi;
use airflow_client::models::{
    BulkActionNotOnExistence, BulkBodyBulkTaskInstanceBody,
    BulkBodyBulkTaskInstanceBodyActionsItem, BulkCreateActionBulkTaskInstanceBody,
    BulkDeleteActionBulkTaskInstanceBody, BulkDeleteActionBulkTaskInstanceBodyEntitiesItem,
    BulkTaskInstanceBody, BulkUpdateActionBulkTaskInstanceBody, ClearTaskInstancesBody,
    ClearTaskInstancesBodyTaskIdsItem, PatchTaskInstanceBody, TaskInstanceCollectionResponse,
    TaskInstanceState,
};
use airflow_client::{Error, ErrorBody};

use crate::check::{api_error, detail, unsupported, validation};
use crate::raw;
use crate::world::{e2e, wait_for_success, TI_DAG};

/// `(task_id, map_index)` of every instance in a collection, sorted.
fn keys(collection: &TaskInstanceCollectionResponse) -> Vec<(String, i64)> {
    let mut keys: Vec<_> = collection
        .task_instances
        .iter()
        .map(|ti| (ti.task_id.clone(), ti.map_index))
        .collect();
    keys.sort();
    keys
}

fn key(task: &str, map_index: i64) -> (String, i64) {
    (task.to_string(), map_index)
}

fn failed() -> PatchTaskInstanceBody {
    PatchTaskInstanceBody::default().new_state(TaskInstanceState::Failed)
}

#[test]
fn patch_task_instance_dry_run_changes_nothing() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = PatchTaskInstanceDryRunParams::default();
        let alone = api
            .patch_task_instance_dry_run(TI_DAG, &world.pristine, "start", &params, &failed())
            .await
            .unwrap();
        assert_eq!(keys(&alone), [key("start", -1)]);
        // A dry run answers the instances as they are now.
        assert_eq!(
            alone.task_instances[0].state,
            Some(TaskInstanceState::Success)
        );

        let downstream = failed().include_downstream(true);
        let wider = api
            .patch_task_instance_dry_run(TI_DAG, &world.pristine, "start", &params, &downstream)
            .await
            .unwrap();
        assert_eq!(
            keys(&wider),
            [
                key("end", -1),
                key("square", 0),
                key("square", 1),
                key("square", 2),
                key("start", -1)
            ]
        );

        let ti = api
            .get_task_instance(TI_DAG, &world.pristine, "start")
            .await
            .unwrap();
        assert_eq!(ti.state, Some(TaskInstanceState::Success));
    });
}

#[test]
fn patch_task_instance_dry_run_by_map_index_names_one_instance() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = PatchTaskInstanceDryRunByMapIndexParams::default();
        let one = api
            .patch_task_instance_dry_run_by_map_index(
                TI_DAG,
                &world.pristine,
                "square",
                MapIndex(2),
                &params,
                &failed(),
            )
            .await
            .unwrap();
        assert_eq!(keys(&one), [key("square", 2)]);
        let ti = api
            .get_mapped_task_instance(TI_DAG, &world.pristine, "square", MapIndex(2))
            .await
            .unwrap();
        assert_eq!(ti.state, Some(TaskInstanceState::Success));
    });
}

#[test]
fn patch_task_group_instances_dry_run_names_the_group() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let group = api
            .patch_task_group_instances_dry_run(TI_DAG, &world.pristine, "group", &failed())
            .await;
        if !world.at_least("3.3.0") {
            return unsupported(group, "3.3.0", world.version());
        }
        let group = group.unwrap();
        assert_eq!(
            keys(&group),
            [key("group.inner_a", -1), key("group.inner_b", -1)]
        );
        assert!(group
            .task_instances
            .iter()
            .all(|ti| ti.state == Some(TaskInstanceState::Success)));
        let missing = api_error(
            api.patch_task_group_instances_dry_run(TI_DAG, &world.pristine, "nosuch", &failed())
                .await,
            404,
        );
        assert_eq!(
            detail(&missing),
            "Task group 'nosuch' not found in DAG 'e2e_task_instances'"
        );
    });
}

#[test]
fn patch_task_instance_sets_notes_and_states() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        // The mask limits the patch to the note: the state in the body is ignored.
        let note_only = PatchTaskInstanceParams::default().update_mask(["note"]);
        let body = failed().note("e2e: a note");
        let patched = api
            .patch_task_instance(TI_DAG, &world.mutated, "start", &note_only, &body)
            .await
            .unwrap();
        assert_eq!(keys(&patched), [key("start", -1)]);
        let ti = api
            .get_task_instance(TI_DAG, &world.mutated, "start")
            .await
            .unwrap();
        assert_eq!(
            (ti.note.as_deref(), ti.state),
            (Some("e2e: a note"), Some(TaskInstanceState::Success))
        );

        let none = PatchTaskInstanceParams::default();
        let patched = api
            .patch_task_instance(TI_DAG, &world.mutated, "choose", &none, &failed())
            .await
            .unwrap();
        assert_eq!(
            patched.task_instances[0].state,
            Some(TaskInstanceState::Failed)
        );
        let again = api_error(
            api.patch_task_instance(TI_DAG, &world.mutated, "choose", &none, &failed())
                .await,
            409,
        );
        assert_eq!(detail(&again), "Task id choose is already in failed state");

        let mapped_note = PatchTaskInstanceParams::default().map_index(0);
        let body = PatchTaskInstanceBody::default().note("e2e: square 0");
        let patched = api
            .patch_task_instance(TI_DAG, &world.mutated, "square", &mapped_note, &body)
            .await
            .unwrap();
        assert_eq!(keys(&patched), [key("square", 0)]);
        assert_eq!(
            patched.task_instances[0].note.as_deref(),
            Some("e2e: square 0")
        );
    });
}

#[test]
fn patch_task_instance_rejects_bad_bodies() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let none = PatchTaskInstanceParams::default();
        let running = PatchTaskInstanceBody::default().new_state(TaskInstanceState::Running);
        let refused = api_error(
            api.patch_task_instance(TI_DAG, &world.mutated, "choose", &none, &running)
                .await,
            422,
        );
        assert_eq!(
            validation(&refused),
            (
                "value_error",
                "Value error, 'running' is not one of ['success', 'failed', 'skipped']"
            )
        );

        let long = PatchTaskInstanceBody::default().note("x".repeat(1001));
        let refused = api_error(
            api.patch_task_instance(TI_DAG, &world.mutated, "choose", &none, &long)
                .await,
            422,
        );
        assert_eq!(
            validation(&refused),
            (
                "string_too_long",
                "String should have at most 1000 characters"
            )
        );
    });
}

#[test]
fn patch_task_instance_by_map_index_changes_one_instance() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = PatchTaskInstanceByMapIndexParams::default();
        let body = PatchTaskInstanceBody::default()
            .new_state(TaskInstanceState::Skipped)
            .note("e2e: square 1 skipped");
        let patched = api
            .patch_task_instance_by_map_index(
                TI_DAG,
                &world.mutated,
                "square",
                MapIndex(1),
                &params,
                &body,
            )
            .await
            .unwrap();
        assert_eq!(keys(&patched), [key("square", 1)]);
        let ti = api
            .get_mapped_task_instance(TI_DAG, &world.mutated, "square", MapIndex(1))
            .await
            .unwrap();
        assert_eq!(
            (ti.state, ti.note.as_deref()),
            (
                Some(TaskInstanceState::Skipped),
                Some("e2e: square 1 skipped")
            )
        );

        // This 404 carries `detail` as a list of sentences, which fits neither declared error
        // schema: the client must keep it as raw JSON rather than fail to decode.
        let missing = api_error(
            api.patch_task_instance_by_map_index(
                TI_DAG,
                &world.mutated,
                "square",
                MapIndex(9),
                &params,
                &body,
            )
            .await,
            404,
        );
        match &missing.body {
            ErrorBody::Json(body) => assert!(
                body["detail"][0]
                    .as_str()
                    .is_some_and(|d| d.contains("map_index: `9`")),
                "{body}"
            ),
            // 3.0 answers with a sentence, which is the documented shape.
            ErrorBody::HttpExceptionResponse(_) if !world.at_least("3.1.0") => {
                assert!(
                    detail(&missing).contains("task_id=square"),
                    "{}",
                    missing.raw
                )
            }
            other => panic!("expected the list detail as raw JSON, got {other:?}"),
        }
    });
}

#[test]
fn patch_task_group_instances_changes_the_whole_group() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = PatchTaskGroupInstancesParams::default();
        let patched = api
            .patch_task_group_instances(TI_DAG, &world.mutated, "group", &params, &failed())
            .await;
        if !world.at_least("3.3.0") {
            return unsupported(patched, "3.3.0", world.version());
        }
        let patched = patched.unwrap();
        assert_eq!(
            keys(&patched),
            [key("group.inner_a", -1), key("group.inner_b", -1)]
        );
        let group = GetTaskInstancesParams::default().task_group_id("group");
        let now = api
            .get_task_instances(TI_DAG, &world.mutated, &group)
            .await
            .unwrap();
        assert!(
            now.task_instances
                .iter()
                .all(|ti| ti.state == Some(TaskInstanceState::Failed)),
            "{now:?}"
        );
    });
}

#[test]
fn bulk_task_instances_updates_and_deletes() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let run = &world.mutated;
        let update = BulkUpdateActionBulkTaskInstanceBody::new([
            BulkTaskInstanceBody::new("flaky").note("e2e: bulk"),
            BulkTaskInstanceBody::new("square")
                .map_index(2)
                .new_state(TaskInstanceState::Failed),
        ]);
        let delete = BulkDeleteActionBulkTaskInstanceBody::new(vec![
            BulkDeleteActionBulkTaskInstanceBodyEntitiesItem::from("branch_skipped"),
            BulkTaskInstanceBody::new("branch_taken").into(),
        ]);
        // A missing instance ends its action where it is met (in no set order), so each
        // missing one goes in an action of its own; reports of same-kind actions add up.
        let missing = || [BulkTaskInstanceBody::new("nosuch").note("never")];
        let update_missing = BulkUpdateActionBulkTaskInstanceBody::new(missing());
        let delete_missing = BulkDeleteActionBulkTaskInstanceBody::new(["nosuch"]);
        let skip_missing = BulkUpdateActionBulkTaskInstanceBody::new(missing())
            .action_on_non_existence(BulkActionNotOnExistence::Skip);
        use BulkBodyBulkTaskInstanceBodyActionsItem::{Delete, Update};
        let body = BulkBodyBulkTaskInstanceBody::new([
            Update(update),
            Delete(delete),
            Update(update_missing),
            Delete(delete_missing),
            Update(skip_missing),
        ]);
        let answer = api.bulk_task_instances(TI_DAG, run, &body).await;
        if !world.at_least("3.1.0") {
            return unsupported(answer, "3.1.0", world.version());
        }
        let answer = answer.unwrap();
        assert_eq!(answer.create, None);
        // 3.2.2 and 3.3 name each instance in full; 3.1.8 by its task id alone.
        let named = |task: &str, map_index: i64| {
            if world.at_least("3.2.2") {
                format!("{TI_DAG}.{run}.{task}[{map_index}]")
            } else {
                task.to_string()
            }
        };

        let update = answer.update.expect("an update report");
        let done: BTreeSet<String> = update.success.unwrap_or_default().into_iter().collect();
        assert_eq!(
            done,
            BTreeSet::from([named("flaky", -1), named("square", 2)])
        );
        let errors = update.errors.unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["status_code"], 404);
        assert!(
            errors[0]["error"]
                .as_str()
                .is_some_and(|e| e.contains("nosuch")),
            "{errors:?}"
        );

        let delete = answer.delete.expect("a delete report");
        let gone: BTreeSet<String> = delete.success.unwrap_or_default().into_iter().collect();
        assert_eq!(
            gone,
            BTreeSet::from([named("branch_skipped", -1), named("branch_taken", -1)])
        );
        assert_eq!(delete.errors.unwrap_or_default().len(), 1);

        let flaky = api.get_task_instance(TI_DAG, run, "flaky").await.unwrap();
        assert_eq!(flaky.note.as_deref(), Some("e2e: bulk"));
        let square = api
            .get_mapped_task_instance(TI_DAG, run, "square", MapIndex(2))
            .await
            .unwrap();
        assert_eq!(square.state, Some(TaskInstanceState::Failed));
        api_error(
            api.get_task_instance(TI_DAG, run, "branch_taken").await,
            404,
        );
    });
}

#[test]
fn bulk_task_instances_cannot_create() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let create =
            BulkCreateActionBulkTaskInstanceBody::new(vec![BulkTaskInstanceBody::new("start")]);
        let answer = api
            .bulk_task_instances(
                TI_DAG,
                &world.mutated,
                &BulkBodyBulkTaskInstanceBody::new([
                    BulkBodyBulkTaskInstanceBodyActionsItem::Create(create),
                ]),
            )
            .await;
        if !world.at_least("3.1.0") {
            return unsupported(answer, "3.1.0", world.version());
        }
        let create = answer.unwrap().create.expect("a create report");
        assert_eq!(create.success.unwrap_or_default(), Vec::<String>::new());
        let errors = create.errors.unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (
                errors[0]["status_code"].as_i64(),
                errors[0]["error"].as_str()
            ),
            (
                Some(405),
                Some("Task instances bulk create is not supported")
            )
        );
    });
}

#[test]
fn delete_task_instance_removes_it() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        let params = DeleteTaskInstanceParams::default();
        let answer = api
            .delete_task_instance(TI_DAG, &world.mutated, "end", &params)
            .await;
        if !world.at_least("3.1.0") {
            return unsupported(answer, "3.1.0", world.version());
        }
        assert_eq!(answer.unwrap(), serde_json::Value::Null);
        api_error(
            api.get_task_instance(TI_DAG, &world.mutated, "end").await,
            404,
        );
        let again = api_error(
            api.delete_task_instance(TI_DAG, &world.mutated, "end", &params)
                .await,
            404,
        );
        assert!(
            detail(&again).contains("task_id: `end`"),
            "{}",
            detail(&again)
        );

        let mapped = DeleteTaskInstanceParams::default().map_index(7);
        api_error(
            api.delete_task_instance(TI_DAG, &world.mutated, "square", &mapped)
                .await,
            404,
        );
    });
}

#[test]
fn post_clear_task_instances_dry_run_then_rerun() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = TaskInstanceApi::new(&client);
        let run = &world.cleared;
        let one_square = ClearTaskInstancesBody::default()
            .dag_run_id(run.as_str())
            .task_ids(vec![ClearTaskInstancesBodyTaskIdsItem::from(("square", 1))])
            .only_failed(false);
        // `dry_run` defaults to true.
        let preview = api
            .post_clear_task_instances(TI_DAG, &one_square)
            .await
            .unwrap();
        assert_eq!(keys(&preview), [key("square", 1)]);
        assert_eq!(
            preview.task_instances[0].state,
            Some(TaskInstanceState::Success)
        );
        // Nothing failed, and `only_failed` defaults to true.
        let only_failed = ClearTaskInstancesBody::default().dag_run_id(run.as_str());
        assert_eq!(
            api.post_clear_task_instances(TI_DAG, &only_failed)
                .await
                .unwrap()
                .task_instances
                .len(),
            0
        );

        let rerun = ClearTaskInstancesBody::default()
            .dry_run(false)
            .dag_run_id(run.as_str())
            .task_ids(vec![ClearTaskInstancesBodyTaskIdsItem::from(
                "branch_taken",
            )])
            .only_failed(false);
        // A clear sets a note since 3.3; an older server would refuse the field (422), so the
        // client fails the call unsent.
        let rerun = if world.at_least("3.3.0") {
            rerun.note("e2e: cleared")
        } else {
            let refused = api
                .post_clear_task_instances(TI_DAG, &rerun.clone().note("e2e: cleared"))
                .await;
            match refused {
                Err(Error::UnsupportedParameter {
                    parameter, since, ..
                }) => assert_eq!((parameter, since), ("body.note", "3.3.0")),
                other => panic!("expected Error::UnsupportedParameter, got {other:?}"),
            }
            rerun
        };
        let cleared = api.post_clear_task_instances(TI_DAG, &rerun).await.unwrap();
        assert_eq!(keys(&cleared), [key("branch_taken", -1)]);
        assert_eq!(
            cleared.task_instances[0].state, None,
            "a cleared instance has no state"
        );
        assert_ne!(
            raw::run_state(&client, TI_DAG, run).await.unwrap(),
            "success",
            "clearing reopens the run"
        );

        wait_for_success(&client, TI_DAG, run).await.unwrap();
        let tries = api
            .get_task_instance_tries(
                TI_DAG,
                run,
                "branch_taken",
                &GetTaskInstanceTriesParams::default(),
            )
            .await
            .unwrap();
        let found: Vec<_> = tries
            .task_instances
            .iter()
            .map(|t| (t.try_number, t.state.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (1, Some(TaskInstanceState::Success)),
                (2, Some(TaskInstanceState::Success))
            ]
        );
        let ti = api
            .get_task_instance(TI_DAG, run, "branch_taken")
            .await
            .unwrap();
        if world.at_least("3.3.0") {
            assert_eq!(ti.note.as_deref(), Some("e2e: cleared"));
        }

        let unknown_run = ClearTaskInstancesBody::default().dag_run_id("nosuch");
        let missing = api_error(
            api.post_clear_task_instances(TI_DAG, &unknown_run).await,
            404,
        );
        assert_eq!(
            detail(&missing),
            "Dag Run id nosuch not found in dag e2e_task_instances"
        );
    });
}
