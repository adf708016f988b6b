//! Client-side benchmarks for `cargo xtask bench`, kept out of xtask so that xtask never
//! depends on the crate it generates. The `airflow-bench` binary runs them and prints raw
//! samples as JSON; xtask turns those into BENCHMARKS.md.
//!
//! - [`fixture`]: a deterministic page of task instances (2,000 items, about 2.6 MB).
//! - [`hand`]: the hand-written serde structs for the same page, the floor for decoding.
//! - [`server`]: a keep-alive loopback HTTP/1.1 server answering with a fixed body.
//! - [`decode`] and [`request`]: the two measurements.
//! - [`alloc`]: the allocation count the request measurement reports.

pub mod alloc;
pub mod fixture;
pub mod hand;
pub mod server;

use std::hint::black_box;
use std::time::{Duration, Instant};

use airflow_client::apis::GetTaskInstancesParams;
use airflow_client::models::TaskInstanceCollectionResponse;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde_json::{json, Value};

/// How many times to run each measurement.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub decode_warmup: usize,
    pub decode_iterations: usize,
    pub request_warmup: usize,
    /// Requests with each client: `request_rounds` rounds of `request_block` requests with
    /// one client then the other, the order swapping every round, so a burst of load on a
    /// busy machine falls on both alike while each block runs warm.
    pub request_rounds: usize,
    pub request_block: usize,
}

impl Plan {
    pub fn full() -> Plan {
        Plan {
            decode_warmup: 5,
            decode_iterations: 50,
            request_warmup: 500,
            request_rounds: 200,
            request_block: 50,
        }
    }

    pub fn quick() -> Plan {
        Plan {
            decode_warmup: 1,
            decode_iterations: 5,
            request_warmup: 50,
            request_rounds: 10,
            request_block: 30,
        }
    }
}

type Decoder = fn(&[u8]) -> Result<(Duration, usize), String>;

/// The three decoders of the same bytes, timed from the first byte to the finished value
/// (dropping the value is not timed).
pub const DECODERS: [(&str, Decoder); 3] = [
    ("generated", decode_generated),
    ("hand_written", decode_hand_written),
    ("value", decode_value),
];

fn decode_generated(bytes: &[u8]) -> Result<(Duration, usize), String> {
    let started = Instant::now();
    let page: TaskInstanceCollectionResponse =
        serde_json::from_slice(bytes).map_err(|e| format!("generated model: {e}"))?;
    let took = started.elapsed();
    Ok((took, black_box(&page).task_instances.len()))
}

fn decode_hand_written(bytes: &[u8]) -> Result<(Duration, usize), String> {
    let started = Instant::now();
    let page: hand::Page =
        serde_json::from_slice(bytes).map_err(|e| format!("hand-written struct: {e}"))?;
    let took = started.elapsed();
    Ok((took, black_box(&page).task_instances.len()))
}

fn decode_value(bytes: &[u8]) -> Result<(Duration, usize), String> {
    let started = Instant::now();
    let page: Value = serde_json::from_slice(bytes).map_err(|e| format!("Value: {e}"))?;
    let took = started.elapsed();
    let items = black_box(&page)["task_instances"]
        .as_array()
        .map_or(0, Vec::len);
    Ok((took, items))
}

/// Decodes the 2,000-item page with each decoder in turn, rotating the order every
/// iteration so drift on a busy machine falls on all three alike.
pub fn decode(plan: &Plan) -> Result<Value, String> {
    let text = fixture::page(fixture::PAGE_ITEMS);
    let bytes = text.as_bytes();
    for _ in 0..plan.decode_warmup {
        for (_, decoder) in DECODERS {
            decoder(bytes)?;
        }
    }
    let mut samples: Vec<Vec<u64>> = vec![Vec::new(); DECODERS.len()];
    for i in 0..plan.decode_iterations {
        for k in 0..DECODERS.len() {
            let which = (i + k) % DECODERS.len();
            let (name, decoder) = DECODERS[which];
            let (took, items) = decoder(bytes)?;
            if items != fixture::PAGE_ITEMS {
                return Err(format!(
                    "{name} decoded {items} items, expected {}",
                    fixture::PAGE_ITEMS
                ));
            }
            samples[which].push(took.as_nanos() as u64);
        }
    }
    let mut by_name = serde_json::Map::new();
    for ((name, _), s) in DECODERS.iter().zip(samples) {
        by_name.insert(name.to_string(), json!(s));
    }
    Ok(json!({
        "fixture_bytes": bytes.len(),
        "items": fixture::PAGE_ITEMS,
        "samples_ns": by_name,
    }))
}

pub const DAG_ID: &str = "etl_orders_daily";
pub const DAG_RUN_ID: &str = "scheduled__2025-06-01T00:00:00+00:00";
/// `DAG_RUN_ID` as a path segment (RFC 3986), written out as a bare-reqwest caller would.
pub const DAG_RUN_SEGMENT: &str = "scheduled__2025-06-01T00%3A00%3A00%2B00%3A00";
pub const TOKEN: &str = "bench-token";
/// The user agent both clients send.
pub const USER_AGENT: &str = "airflow-bench";

/// `get_task_instances` through the generated client against the same request made with
/// bare reqwest (same reqwest, same headers, the body decoded by serde_json into the same
/// generated type), both against one keep-alive loopback server returning a small page.
pub fn request(plan: &Plan) -> Result<Value, String> {
    let body = fixture::page(fixture::SMALL_PAGE_ITEMS).into_bytes();
    let body_bytes = body.len();
    // One thread for client and server: see `server`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let server = runtime.block_on(server::Server::start(body))?;
    let result = request_against(&runtime, &server, plan);
    runtime.block_on(async { server.stop() });
    let mut result = result?;
    result["body_bytes"] = json!(body_bytes);
    result["items"] = json!(fixture::SMALL_PAGE_ITEMS);
    Ok(result)
}

/// Requests per client whose allocations are counted.
const ALLOCATION_REQUESTS: usize = 100;

fn request_against(
    runtime: &tokio::runtime::Runtime,
    server: &server::Server,
    plan: &Plan,
) -> Result<Value, String> {
    let base = server.url();
    let client = airflow_client::Client::builder(base.clone())
        .bearer_token(TOKEN)
        .user_agent(USER_AGENT)
        .build()
        .map_err(|e| format!("building the generated client: {e}"))?;
    let params = GetTaskInstancesParams::default();
    let http = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .build()
        .map_err(|e| format!("building the reqwest client: {e}"))?;
    let url = format!("{base}/api/v2/dags/{DAG_ID}/dagRuns/{DAG_RUN_SEGMENT}/taskInstances");
    let mut bearer = HeaderValue::from_str(&format!("Bearer {TOKEN}"))
        .map_err(|e| format!("bearer header: {e}"))?;
    bearer.set_sensitive(true);

    runtime.block_on(async {
        let generated = || async {
            let started = Instant::now();
            let page = client
                .task_instance()
                .get_task_instances(DAG_ID, DAG_RUN_ID, &params)
                .await
                .map_err(|e| format!("generated client: {e}"))?;
            let took = started.elapsed();
            Ok::<_, String>((took, black_box(&page).task_instances.len()))
        };
        let bare = || async {
            let started = Instant::now();
            let response = http
                .get(&url)
                .header(AUTHORIZATION, bearer.clone())
                .send()
                .await
                .map_err(|e| format!("bare reqwest: {e}"))?;
            if !response.status().is_success() {
                return Err(format!("bare reqwest: status {}", response.status()));
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| format!("bare reqwest: {e}"))?;
            let page: TaskInstanceCollectionResponse =
                serde_json::from_slice(&bytes).map_err(|e| format!("bare reqwest: {e}"))?;
            let took = started.elapsed();
            Ok::<_, String>((took, black_box(&page).task_instances.len()))
        };

        for _ in 0..plan.request_warmup {
            generated().await?;
        }
        let generated_head = server.last_head();
        for _ in 0..plan.request_warmup {
            bare().await?;
        }
        let bare_head = server.last_head();
        if generated_head != bare_head {
            return Err(format!(
                "the two clients send different requests, so the comparison would not be fair\n\
                 generated client:\n{generated_head}\nbare reqwest:\n{bare_head}"
            ));
        }

        let total = plan.request_rounds * plan.request_block;
        let mut generated_ns = Vec::with_capacity(total);
        let mut bare_ns = Vec::with_capacity(total);
        for round in 0..plan.request_rounds {
            for leg in 0..2 {
                let generated_turn = (round + leg) % 2 == 0;
                for _ in 0..plan.request_block {
                    let (took, items) = if generated_turn {
                        generated().await?
                    } else {
                        bare().await?
                    };
                    if items != fixture::SMALL_PAGE_ITEMS {
                        return Err(format!(
                            "decoded {items} items, expected {}",
                            fixture::SMALL_PAGE_ITEMS
                        ));
                    }
                    let ns = took.as_nanos() as u64;
                    if generated_turn {
                        generated_ns.push(ns);
                    } else {
                        bare_ns.push(ns);
                    }
                }
            }
        }
        // Counted apart from the timed requests; the loopback server's allocations are in both.
        let (done, generated_allocations) = alloc::allocations(async {
            for _ in 0..ALLOCATION_REQUESTS {
                generated().await?;
            }
            Ok::<_, String>(())
        })
        .await;
        done?;
        let (done, bare_allocations) = alloc::allocations(async {
            for _ in 0..ALLOCATION_REQUESTS {
                bare().await?;
            }
            Ok::<_, String>(())
        })
        .await;
        done?;
        let per_request = |n: u64| n as f64 / ALLOCATION_REQUESTS as f64;
        Ok(json!({
            "request_head": generated_head,
            "samples_ns": { "generated": generated_ns, "bare_reqwest": bare_ns },
            "allocations_per_request": {
                "generated": per_request(generated_allocations),
                "bare_reqwest": per_request(bare_allocations),
            },
        }))
    })
}
