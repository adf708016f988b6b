//! The decode benchmark compares like with like: the fixture is the page it claims to be, and
//! the generated models, the hand-written structs and `serde_json::Value` all read the same
//! values from it. Correctness only; nothing here looks at timings.

use airflow_bench::fixture::{page, PAGE_ITEMS, SMALL_PAGE_ITEMS};
use airflow_bench::{hand, Plan};
use airflow_client::models::{TaskInstanceCollectionResponse, TaskInstanceState};
use serde_json::Value;

#[test]
fn the_page_is_two_thousand_realistic_task_instances() {
    let text = page(PAGE_ITEMS);
    assert_eq!(text, page(PAGE_ITEMS), "the fixture must be deterministic");
    let mb = text.len() as f64 / 1e6;
    assert!(
        (2.0..2.8).contains(&mb),
        "the page should be about 2.3 to 2.6 MB, it is {mb:.2} MB"
    );
    let value: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    let items = value["task_instances"].as_array().expect("task_instances");
    assert_eq!(items.len(), 2_000);
    assert_eq!(value["total_entries"], 2_000);

    let count = |f: &dyn Fn(&Value) -> bool| items.iter().filter(|i| f(i)).count();
    assert!(count(&|i| i["state"].is_null()) > 0, "some states are null");
    assert!(
        count(&|i| i["start_date"].is_null()) > 0,
        "some never started"
    );
    assert!(
        count(&|i| i["logical_date"].is_null()) > 0,
        "asset-triggered runs"
    );
    assert!(count(&|i| i["map_index"] != -1) > 0, "mapped tasks");
    assert!(count(&|i| i["note"].is_string()) > 0, "notes");
    assert!(count(&|i| i["trigger"].is_object()) > 0, "deferred tasks");
    assert!(count(&|i| i["dag_version"]["id"].is_string()) > 1_900);
    let nested = |i: &Value| {
        i["rendered_fields"]
            .as_object()
            .is_some_and(|o| o.values().any(|v| v.is_object() || v.is_array()))
    };
    assert!(count(&nested) > 800, "rendered_fields nest objects");
    let states: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i["state"].as_str()).collect();
    assert!(states.len() >= 8, "a realistic mix of states: {states:?}");
}

#[test]
fn generated_and_hand_written_decode_the_same_values() {
    let text = page(PAGE_ITEMS);
    let raw: Value = serde_json::from_str(&text).unwrap();
    let generated: TaskInstanceCollectionResponse =
        serde_json::from_str(&text).expect("the generated model decodes the page");
    let hand: hand::Page = serde_json::from_str(&text).expect("the hand-written struct decodes");
    assert_eq!(generated.task_instances.len(), PAGE_ITEMS);
    assert_eq!(hand.task_instances.len(), PAGE_ITEMS);

    // Nothing lost or invented: each side writes back exactly the JSON it read.
    let from_generated = serde_json::to_value(&generated).unwrap();
    let from_hand = serde_json::to_value(&hand).unwrap();
    for (i, ((raw, g), h)) in raw["task_instances"]
        .as_array()
        .unwrap()
        .iter()
        .zip(from_generated["task_instances"].as_array().unwrap())
        .zip(from_hand["task_instances"].as_array().unwrap())
        .enumerate()
    {
        assert_eq!(g, raw, "item {i}: the generated model changed a value");
        assert_eq!(h, raw, "item {i}: the hand-written struct changed a value");
    }
    assert_eq!(from_generated, raw);
    assert_eq!(from_hand, raw);

    // And the typed fields agree field by field where the types differ.
    for (g, h) in generated.task_instances.iter().zip(&hand.task_instances) {
        assert_eq!(
            g.state.as_ref().map(TaskInstanceState::as_str),
            h.state.as_deref()
        );
        assert!(!matches!(g.state, Some(TaskInstanceState::Unknown(_))));
        assert_eq!(g.id, h.id);
        assert_eq!(g.start_date, h.start_date);
        assert_eq!(g.duration, h.duration);
        assert_eq!(g.rendered_fields, h.rendered_fields);
    }
}

#[test]
fn the_small_page_decodes_too() {
    let text = page(SMALL_PAGE_ITEMS);
    let generated: TaskInstanceCollectionResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(generated.task_instances.len(), SMALL_PAGE_ITEMS);
}

/// The request benchmark's own check: both clients put the same bytes on the wire.
#[test]
fn both_clients_send_the_same_request_to_the_loopback_server() {
    let plan = Plan {
        decode_warmup: 0,
        decode_iterations: 0,
        request_warmup: 2,
        request_rounds: 1,
        request_block: 2,
    };
    let result = airflow_bench::request(&plan).expect("the request benchmark runs");
    let head = result["request_head"].as_str().unwrap();
    assert!(
        head.starts_with(
            "GET /api/v2/dags/etl_orders_daily/dagRuns/scheduled__2025-06-01T00%3A00%3A00%2B00%3A00/taskInstances HTTP/1.1\r\n"
        ),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("authorization: bearer bench-token"),
        "{head}"
    );
    assert_eq!(
        result["samples_ns"]["generated"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        result["samples_ns"]["bare_reqwest"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
