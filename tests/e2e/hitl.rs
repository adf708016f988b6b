//! Human-in-the-loop: the `awaiting` run keeps its question open, the `answered` run gets an
//! answer. Airflow 3.3 parks an `HITLOperator` task in `awaiting_input` (before 3.3 it defers
//! on a trigger); the sensor beside it is the deferred one. A server without
//! Human-in-the-loop (before 3.1) answers every one of these operations with the client's
//! `Error::Unsupported`.

use airflow_client::apis::MapIndex;
use airflow_client::apis::TryNumber;
use std::time::Duration;

use airflow_client::apis::task_instance::{GetHitlDetailsParams, GetLogParams};
use airflow_client::apis::TaskInstanceApi;
use airflow_client::logs::FollowLog;
use airflow_client::models::GetLogAccept;
use airflow_client::models::{HitlDetail, TaskInstanceState, UpdateHitlDetailPayload};
use futures_util::TryStreamExt;
use serde_json::json;

use crate::check::{api_error, detail, unsupported, validation};
use crate::world::{e2e, eventually, World, HITL_DAG};

/// Before 3.1 there is no Human-in-the-loop: the operations say so, and the test ends.
async fn without_hitl(world: &World, api: &TaskInstanceApi) -> bool {
    if world.has_hitl() {
        return false;
    }
    let all = api
        .get_hitl_details("~", "~", &GetHitlDetailsParams::default())
        .await;
    unsupported(all, "3.1.0", world.version());
    let one = api
        .get_hitl_detail(HITL_DAG, "run", "approve", MapIndex(-1))
        .await;
    unsupported(one, "3.1.0", world.version());
    true
}

/// How a waiting HITL task looks: parked in `awaiting_input` from 3.3 on, deferred before.
fn waiting(world: &World) -> TaskInstanceState {
    if world.at_least("3.3.0") {
        TaskInstanceState::AwaitingInput
    } else {
        TaskInstanceState::Deferred
    }
}

#[track_caller]
fn assert_is_the_open_question(world: &World, detail: &HitlDetail) {
    assert_eq!(detail.subject, "e2e: ship it?");
    assert_eq!(
        detail.body.as_deref(),
        Some("Choose **Approve** or **Reject**.")
    );
    assert_eq!(detail.options, ["Approve", "Reject"]);
    assert_eq!(
        detail.defaults.as_deref(),
        Some(&["Reject".to_string()][..])
    );
    assert_eq!(detail.multiple, Some(false));
    let reason = &detail.params.as_ref().expect("params")["reason"];
    assert_eq!(reason["value"].as_str(), Some("no reason given"));
    // Params say where their value came from on 3.3 (3.1.8 does not).
    if world.at_least("3.3.0") {
        assert_eq!(reason["source"].as_str(), Some("task"));
    }
    assert_eq!(detail.response_received, Some(false));
    assert_eq!(
        (
            &detail.responded_by_user,
            &detail.responded_at,
            &detail.chosen_options
        ),
        (&None, &None, &None)
    );
    assert_eq!(detail.task_instance.task_id, "approve");
    assert_eq!(detail.task_instance.state, Some(waiting(world)));
}

#[test]
fn the_awaiting_run_waits_for_a_human_and_a_trigger() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            return;
        }
        let approve = api
            .get_task_instance(HITL_DAG, &world.awaiting, "approve")
            .await
            .unwrap();
        assert_eq!(
            (approve.state, approve.operator.as_deref()),
            (Some(waiting(world)), Some("HITLOperator"))
        );
        assert_eq!(
            approve.trigger.is_none(),
            world.at_least("3.3.0"),
            "Airflow 3.3 parks HITL tasks without a trigger; before, they defer on one"
        );

        let sensor = api
            .get_task_instance(HITL_DAG, &world.awaiting, "wait_forever")
            .await
            .unwrap();
        assert_eq!(sensor.state, Some(TaskInstanceState::Deferred));
        let trigger = sensor.trigger.expect("a deferred task has a trigger");
        assert_eq!(
            trigger.classpath,
            "airflow.providers.standard.triggers.temporal.DateTimeTrigger"
        );
        let job = sensor
            .triggerer_job
            .expect("the triggerer runs the trigger");
        assert_eq!(job.job_type.as_deref(), Some("TriggererJob"));
    });
}

#[test]
fn get_hitl_details_of_a_run_and_across_runs() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            return;
        }
        let run = api
            .get_hitl_details(HITL_DAG, &world.awaiting, &GetHitlDetailsParams::default())
            .await
            .unwrap();
        assert_eq!(run.total_entries, 1);
        assert_is_the_open_question(world, &run.hitl_details[0]);
        assert_eq!(run.hitl_details[0].task_instance.dag_run_id, world.awaiting);

        let open = GetHitlDetailsParams::default()
            .dag_id_pattern(HITL_DAG)
            .response_received(false)
            .subject_search("ship it");
        let everywhere = api.get_hitl_details("~", "~", &open).await.unwrap();
        let runs: Vec<_> = everywhere
            .hitl_details
            .iter()
            .map(|d| d.task_instance.dag_run_id.as_str())
            .collect();
        assert!(runs.contains(&world.awaiting.as_str()), "{runs:?}");
        assert!(everywhere
            .hitl_details
            .iter()
            .all(|d| d.response_received == Some(false)));
    });
}

#[test]
fn get_hitl_detail_of_the_open_question() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            return;
        }
        let detail_of = api
            .get_hitl_detail(HITL_DAG, &world.awaiting, "approve", MapIndex(-1))
            .await
            .unwrap();
        assert_is_the_open_question(world, &detail_of);
        assert_eq!(detail_of.assigned_users.as_deref(), Some(&[][..]));

        let plain = api_error(
            api.get_hitl_detail(HITL_DAG, &world.awaiting, "prepare", MapIndex(-1))
                .await,
            404,
        );
        assert!(
            detail(&plain)
                .starts_with("Human-in-the-loop detail does not exist for Task Instance with id"),
            "{}",
            detail(&plain)
        );
    });
}

#[test]
fn get_hitl_detail_try_detail_of_the_first_try() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            return;
        }
        let first = api
            .get_hitl_detail_try_detail(
                HITL_DAG,
                &world.awaiting,
                "approve",
                MapIndex(-1),
                TryNumber(1),
            )
            .await;
        if !world.at_least("3.2.0") {
            return unsupported(first, "3.2.0", world.version());
        }
        let first = first.unwrap();
        assert_eq!(
            (first.subject.as_str(), first.response_received),
            ("e2e: ship it?", Some(false))
        );
        assert_eq!(first.task_instance.try_number, 1);
        assert_eq!(first.task_instance.state, Some(waiting(world)));
        api_error(
            api.get_hitl_detail_try_detail(
                HITL_DAG,
                &world.awaiting,
                "approve",
                MapIndex(-1),
                TryNumber(2),
            )
            .await,
            404,
        );
    });
}

#[test]
fn update_hitl_detail_answers_once() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            let payload = UpdateHitlDetailPayload::new(["Approve"]);
            let answer = api
                .update_hitl_detail(HITL_DAG, "run", "approve", MapIndex(-1), &payload)
                .await;
            return unsupported(answer, "3.1.0", world.version());
        }
        let run = &world.answered;
        let answer = |options: &[&str]| {
            let reason = json!({"reason": "e2e says yes"});
            UpdateHitlDetailPayload::new(options.iter().copied())
                .params_input(reason.as_object().cloned().unwrap_or_default())
        };

        // 3.1.8 takes an option it did not offer, and two where one is allowed (either would
        // answer the question), so only a 3.3 server is asked these.
        if world.at_least("3.3.0") {
            let unknown = api_error(
                api.update_hitl_detail(HITL_DAG, run, "approve", MapIndex(-1), &answer(&["Maybe"]))
                    .await,
                400,
            );
            assert_eq!(
                detail(&unknown),
                "Invalid options ['Maybe']; allowed options are ['Approve', 'Reject']."
            );
            let both = api_error(
                api.update_hitl_detail(
                    HITL_DAG,
                    run,
                    "approve",
                    MapIndex(-1),
                    &answer(&["Approve", "Reject"]),
                )
                .await,
                400,
            );
            assert_eq!(
                detail(&both),
                "Multiple options chosen but this Human-in-the-loop task accepts only a single option."
            );
        }
        let none = api_error(
            api.update_hitl_detail(HITL_DAG, run, "approve", MapIndex(-1), &answer(&[]))
                .await,
            422,
        );
        assert_eq!(validation(&none).0, "too_short");

        let response = api
            .update_hitl_detail(
                HITL_DAG,
                run,
                "approve",
                MapIndex(-1),
                &answer(&["Approve"]),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                response.responded_by.id.as_str(),
                response.responded_by.name.as_str()
            ),
            (world.user(), world.user())
        );
        assert_eq!(response.chosen_options, ["Approve"]);
        assert_eq!(
            response.params_input.as_ref().map(|p| p["reason"].clone()),
            Some(json!("e2e says yes"))
        );

        let twice = api_error(
            api.update_hitl_detail(HITL_DAG, run, "approve", MapIndex(-1), &answer(&["Reject"]))
                .await,
            409,
        );
        assert!(
            detail(&twice).contains("has already been updated"),
            "{}",
            detail(&twice)
        );

        let answered = api
            .get_hitl_detail(HITL_DAG, run, "approve", MapIndex(-1))
            .await
            .unwrap();
        assert_eq!(answered.response_received, Some(true));
        assert_eq!(
            answered.chosen_options.as_deref(),
            Some(&["Approve".to_string()][..])
        );
        assert_eq!(answered.responded_at, Some(response.responded_at));

        // The answer resumes the task, which then succeeds.
        eventually(
            "the answered task to succeed",
            Duration::from_secs(120),
            || {
                let api = api.clone();
                async move {
                    let ti = api
                        .get_task_instance(HITL_DAG, run, "approve")
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(ti.state == Some(TaskInstanceState::Success))
                }
            },
        )
        .await
        .unwrap();
    });
}

/// A try followed while it waits for its answer, then answered: every line of its log comes
/// once, though the log's sources change when the try resumes (Airflow 3.1 lists them in a
/// header the follow reads again).
#[test]
fn follow_log_of_a_try_answered_while_followed_yields_each_line_once() {
    e2e(|world| async move {
        let api = TaskInstanceApi::new(&world.client().await);
        if without_hitl(world, &api).await {
            return;
        }
        let run = world.followed.clone();
        let target = FollowLog::new(HITL_DAG, &run, "approve", TryNumber(1))
            .poll_interval(Duration::from_millis(500));
        let follow = tokio::spawn(api.follow_log(target).try_collect::<Vec<_>>());
        // A few reads of the waiting try's log before the answer.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let answer = UpdateHitlDetailPayload::new(["Approve"]);
        api.update_hitl_detail(HITL_DAG, &run, "approve", MapIndex(-1), &answer)
            .await
            .unwrap();
        let followed = tokio::time::timeout(Duration::from_secs(180), follow)
            .await
            .expect("the answered try ends")
            .unwrap()
            .expect("follows");

        let params = GetLogParams::default().accept(GetLogAccept::ApplicationXNdjson);
        let finished = api
            .get_log(HITL_DAG, &run, "approve", TryNumber(1), &params)
            .await
            .unwrap()
            .messages()
            .await
            .unwrap();
        let lines = |messages: &[airflow_client::models::StructuredLogMessage]| {
            let lines = messages.iter().map(|m| (m.timestamp, m.event.clone()));
            lines.collect::<Vec<_>>()
        };
        crate::check::assert_each_line_once(&lines(&followed), &lines(&finished));
        let approve = api
            .get_task_instance(HITL_DAG, &run, "approve")
            .await
            .unwrap();
        assert_eq!(
            approve.state,
            Some(TaskInstanceState::Success),
            "followed to its end"
        );
    });
}
