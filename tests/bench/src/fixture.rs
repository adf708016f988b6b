//! A deterministic page of task instances (2,000 of them make about 2.6 MB), shaped like what
//! Airflow 3 returns from `GET /api/v2/dags/~/dagRuns/~/taskInstances`: realistic ids, dates
//! and states, nulls where a task has not got that far, free-form `rendered_fields` with nested
//! objects (per operator), the nested `dag_version`, and `trigger` / `triggerer_job` on
//! deferred tasks.
//!
//! The same `items` always gives the same bytes (a fixed-seed generator, keys in a fixed order,
//! no hash maps). Dates carry either no fraction or six digits that are not a multiple of 1000,
//! which is also how chrono writes them back, so a decoded page re-serialises to equal JSON.

use std::fmt::Write as _;

/// The decode benchmark's page size.
pub const PAGE_ITEMS: usize = 2_000;
/// The request benchmark's small page.
pub const SMALL_PAGE_ITEMS: usize = 10;

/// `{"task_instances": [...], "total_entries": items}` as JSON text.
pub fn page(items: usize) -> String {
    let mut rng = Rng(0x5eed_a1f1_0c0d_e9e0);
    let instances = (0..items).map(|i| task_instance(i, &mut rng)).collect();
    let page = obj([
        ("task_instances", J::Arr(instances)),
        ("total_entries", J::Int(items as i64)),
    ]);
    let mut out = String::with_capacity(items * 1_200 + 64);
    page.write(&mut out);
    out
}

/// A JSON tree whose objects keep the order they were built in.
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

fn obj<'a>(pairs: impl IntoIterator<Item = (&'a str, J)>) -> J {
    J::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn s(text: impl Into<String>) -> J {
    J::Str(text.into())
}

fn opt<T>(value: Option<T>, f: impl FnOnce(T) -> J) -> J {
    value.map(f).unwrap_or(J::Null)
}

impl J {
    fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => {
                let _ = write!(out, "{i}");
            }
            // serde_json's own (ryu) formatting, so the text round-trips through f64 exactly.
            J::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => out.push_str(&n.to_string()),
                None => out.push_str("null"),
            },
            J::Str(text) => string(text, out),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            J::Obj(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn uuid(&mut self) -> String {
        // Version 7 layout (time-ordered, as Airflow 3 uses), random bits from the generator.
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// Microseconds that chrono writes back as six digits (never a multiple of 1000).
    fn micros(&mut self) -> i64 {
        let m = self.below(999_999) as i64 + 1;
        if m % 1000 == 0 {
            m + 1
        } else {
            m
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Bash,
    Python,
    Kubernetes,
    Sql,
    Empty,
    Sensor,
}

struct Task {
    id: &'static str,
    operator: &'static str,
    operator_name: &'static str,
    kind: Kind,
}

const fn task(
    id: &'static str,
    operator: &'static str,
    operator_name: &'static str,
    kind: Kind,
) -> Task {
    Task {
        id,
        operator,
        operator_name,
        kind,
    }
}

const TASKS: &[Task] = &[
    task("start", "EmptyOperator", "EmptyOperator", Kind::Empty),
    task(
        "wait_for_upstream_export",
        "DateTimeSensorAsync",
        "DateTimeSensorAsync",
        Kind::Sensor,
    ),
    task(
        "extract.fetch_orders",
        "_PythonDecoratedOperator",
        "@task",
        Kind::Python,
    ),
    task(
        "extract.fetch_customers",
        "_PythonDecoratedOperator",
        "@task",
        Kind::Python,
    ),
    task(
        "transform.clean_orders",
        "BashOperator",
        "BashOperator",
        Kind::Bash,
    ),
    task(
        "transform.build_features",
        "KubernetesPodOperator",
        "KubernetesPodOperator",
        Kind::Kubernetes,
    ),
    task(
        "load.upsert_daily_orders",
        "SQLExecuteQueryOperator",
        "SQLExecuteQueryOperator",
        Kind::Sql,
    ),
    task(
        "load.refresh_dashboard",
        "PythonOperator",
        "PythonOperator",
        Kind::Python,
    ),
    task("end", "EmptyOperator", "EmptyOperator", Kind::Empty),
];

/// DAG ids and display names (most DAGs set none, and the id is shown).
const DAGS: &[(&str, &str)] = &[
    ("etl_orders_daily", "ETL · orders (daily)"),
    ("etl_customers_daily", "etl_customers_daily"),
    ("ml_feature_refresh", "ml_feature_refresh"),
    ("finance_close_monthly", "Finance close — monthly"),
    ("marketing_attribution", "marketing_attribution"),
    ("data_quality_checks", "data_quality_checks"),
    ("warehouse_vacuum", "warehouse_vacuum"),
    ("partner_feed_ingest", "partner_feed_ingest"),
];

/// Percent of task instances in each state; the rest (8%) have none yet.
const STATES: &[(&str, u64)] = &[
    ("success", 55),
    ("failed", 5),
    ("running", 5),
    ("queued", 4),
    ("scheduled", 6),
    ("up_for_retry", 3),
    ("skipped", 6),
    ("upstream_failed", 5),
    ("deferred", 3),
];

/// 2025-06-01T00:00:00Z.
const BASE: i64 = 1_748_736_000;

fn date(seconds: i64, micros: i64) -> String {
    let when = chrono::DateTime::from_timestamp(seconds, (micros * 1000) as u32)
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    if micros == 0 {
        when.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        when.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

fn task_instance(i: usize, rng: &mut Rng) -> J {
    let (dag_id, dag_display) = DAGS[i % DAGS.len()];
    let day = ((i / DAGS.len()) % 30) as i64;
    let task = rng.pick(TASKS);
    let run_after = BASE + day * 86_400;
    let manual = rng.percent(8);
    let asset_triggered = !manual && rng.percent(5);
    let logical_date = (!asset_triggered).then_some(run_after);
    let run_stamp = date(run_after, 0).replace('Z', "+00:00");
    let dag_run_id = if manual {
        format!("manual__{run_stamp}")
    } else if asset_triggered {
        format!("asset_triggered__{run_stamp}")
    } else {
        format!("scheduled__{run_stamp}")
    };
    let state = {
        let mut roll = rng.below(100);
        let mut chosen = None;
        for (name, weight) in STATES {
            if roll < *weight {
                chosen = Some(*name);
                break;
            }
            roll -= weight;
        }
        chosen
    };
    let mapped = rng.percent(15);
    let map_index = if mapped { rng.below(24) as i64 } else { -1 };

    let scheduled = state.map(|_| (run_after + 1 + rng.below(20) as i64, rng.micros()));
    let queued = match state {
        None | Some("scheduled") => None,
        _ => scheduled.map(|(s, _)| (s + 1 + rng.below(30) as i64, rng.micros())),
    };
    let started = match state {
        None | Some("scheduled" | "queued" | "upstream_failed") => None,
        _ => queued.map(|(s, _)| (s + 1 + rng.below(10) as i64, rng.micros())),
    };
    let ended = match state {
        Some("success" | "failed" | "skipped" | "up_for_retry") => {
            started.map(|(s, _)| (s + rng.below(1_800) as i64, rng.micros()))
        }
        _ => None,
    };
    let duration = match (started, ended) {
        (Some((s0, m0)), Some((s1, m1))) => Some(((s1 - s0) * 1_000_000 + m1 - m0) as f64 / 1e6),
        _ => None,
    };
    let worker = rng.below(12);
    let deferred = state == Some("deferred");
    let try_number = if matches!(state, Some("up_for_retry")) || rng.percent(6) {
        2
    } else {
        1
    };
    let note = rng.percent(4).then(|| {
        (*rng.pick(&[
            "Re-ran after the upstream export was fixed — see INC-4821 ✅",
            "Skipped on purpose: partner feed was late.\nWill backfill on Monday.",
            "Cleared by on-call (\"disk full\" on worker-7)",
        ]))
        .to_string()
    });
    let rendered_map_index = (mapped && rng.percent(60)).then(|| format!("partition={map_index}"));

    obj([
        ("id", s(rng.uuid())),
        ("task_id", s(task.id)),
        ("dag_id", s(dag_id)),
        ("dag_run_id", s(dag_run_id)),
        ("map_index", J::Int(map_index)),
        ("logical_date", opt(logical_date, |d| s(date(d, 0)))),
        ("run_after", s(date(run_after, 0))),
        ("start_date", opt(started, |(d, m)| s(date(d, m)))),
        ("end_date", opt(ended, |(d, m)| s(date(d, m)))),
        ("duration", opt(duration, J::Float)),
        ("state", opt(state, s)),
        ("try_number", J::Int(try_number)),
        ("max_tries", J::Int(if task.id == "end" { 0 } else { 3 })),
        ("task_display_name", s(task.id)),
        ("dag_display_name", s(dag_display)),
        (
            "hostname",
            opt(started, |_| {
                s(format!("worker-{worker}.airflow.svc.cluster.local"))
            }),
        ),
        ("unixname", s("airflow")),
        (
            "pool",
            s(if matches!(task.kind, Kind::Sql) {
                "warehouse_pool"
            } else {
                "default_pool"
            }),
        ),
        ("pool_slots", J::Int(1)),
        (
            "queue",
            s(if matches!(task.kind, Kind::Kubernetes) {
                "kubernetes"
            } else {
                "default"
            }),
        ),
        ("priority_weight", J::Int(1 + rng.below(30) as i64)),
        ("operator", s(task.operator)),
        ("operator_name", s(task.operator_name)),
        ("queued_when", opt(queued, |(d, m)| s(date(d, m)))),
        ("scheduled_when", opt(scheduled, |(d, m)| s(date(d, m)))),
        (
            "pid",
            opt(started, |_| J::Int(1_000 + rng.below(60_000) as i64)),
        ),
        (
            "executor",
            if rng.percent(10) {
                s("CeleryExecutor")
            } else {
                J::Null
            },
        ),
        ("executor_config", s("{}")),
        ("note", opt(note, s)),
        ("rendered_map_index", opt(rendered_map_index, s)),
        (
            "rendered_fields",
            // Fields are rendered when the task starts; before that there are none.
            if started.is_some() {
                rendered_fields(task, dag_id, run_after, map_index, rng)
            } else {
                J::Obj(Vec::new())
            },
        ),
        (
            "trigger",
            if deferred {
                trigger(run_after, rng)
            } else {
                J::Null
            },
        ),
        (
            "triggerer_job",
            if deferred {
                triggerer_job(run_after, rng)
            } else {
                J::Null
            },
        ),
        (
            "dag_version",
            if rng.percent(2) {
                J::Null
            } else {
                dag_version(i % DAGS.len(), dag_id, dag_display)
            },
        ),
    ])
}

fn rendered_fields(task: &Task, dag_id: &str, run_after: i64, map_index: i64, rng: &mut Rng) -> J {
    let ds = date(run_after, 0)[..10].to_string();
    let partition = map_index.max(0);
    match task.kind {
        Kind::Empty => J::Obj(Vec::new()),
        Kind::Sensor => obj([
            ("target_time", s(date(run_after + 3_600, 0))),
            ("end_from_trigger", J::Bool(false)),
        ]),
        Kind::Bash => obj([
            (
                "bash_command",
                s(format!(
                    "set -euo pipefail\npython jobs/clean_orders.py --ds {ds} --partition {partition}"
                )),
            ),
            (
                "env",
                if rng.percent(70) {
                    obj([
                        ("AWS_DEFAULT_REGION", s("eu-west-1")),
                        ("TARGET_TABLE", s("clean.orders")),
                        ("RUN_DATE", s(ds.clone())),
                    ])
                } else {
                    J::Null
                },
            ),
            ("cwd", J::Null),
        ]),
        Kind::Python => obj([
            ("templates_dict", J::Null),
            ("op_args", J::Arr(Vec::new())),
            (
                "op_kwargs",
                obj([
                    ("ds", s(ds.clone())),
                    (
                        "config",
                        obj([
                            (
                                "source",
                                s(format!("s3://acme-lake/raw/{dag_id}/ds={ds}/")),
                            ),
                            ("targets", J::Arr(vec![s("orders"), s("customers")])),
                            ("batch_size", J::Int(5_000)),
                            ("sample_rate", J::Float(0.25)),
                        ]),
                    ),
                ]),
            ),
        ]),
        Kind::Kubernetes => obj([
            ("image", s("registry.acme.internal/ml/features:2.14.3")),
            ("cmds", J::Arr(vec![s("python"), s("-m"), s("features.build")])),
            (
                "arguments",
                J::Arr(vec![s("--ds"), s(ds.clone()), s("--partition"), s(partition.to_string())]),
            ),
            (
                "env_vars",
                J::Arr(vec![obj([
                    ("name", s("LOG_LEVEL")),
                    ("value", s("INFO")),
                    ("value_from", J::Null),
                ])]),
            ),
            ("labels", obj([("team", s("ml-platform")), ("dag_id", s(dag_id))])),
            (
                "container_resources",
                obj([("limits", obj([("cpu", s("2")), ("memory", s("4Gi"))]))]),
            ),
        ]),
        Kind::Sql => obj([
            (
                "sql",
                s(format!(
                    "INSERT INTO analytics.daily_orders\nSELECT order_id, customer_id, amount\nFROM clean.orders WHERE ds = '{ds}';"
                )),
            ),
            ("parameters", J::Null),
            ("hook_params", J::Obj(Vec::new())),
            ("return_last", J::Bool(true)),
        ]),
    }
}

fn trigger(run_after: i64, rng: &mut Rng) -> J {
    obj([
        ("id", J::Int(10_000 + rng.below(5_000) as i64)),
        (
            "classpath",
            s("airflow.providers.standard.triggers.temporal.DateTimeTrigger"),
        ),
        (
            "kwargs",
            s(format!(
                "{{'moment': DateTime({}), 'end_from_trigger': False}}",
                date(run_after + 3_600, 0)
            )),
        ),
        ("created_date", s(date(run_after + 30, rng.micros()))),
        ("queue", J::Null),
        ("triggerer_id", J::Int(3)),
    ])
}

fn triggerer_job(run_after: i64, rng: &mut Rng) -> J {
    obj([
        ("id", J::Int(3)),
        ("dag_id", J::Null),
        ("state", s("running")),
        ("job_type", s("TriggererJob")),
        ("start_date", s(date(BASE - 86_400, 713_205))),
        ("end_date", J::Null),
        ("latest_heartbeat", s(date(run_after + 55, rng.micros()))),
        ("executor_class", J::Null),
        ("hostname", s("airflow-triggerer-0")),
        ("unixname", s("airflow")),
    ])
}

fn dag_version(dag: usize, dag_id: &str, dag_display: &str) -> J {
    // One version per DAG, the same object on every task instance of that DAG.
    let mut rng = Rng(0xda6 + dag as u64);
    obj([
        ("id", s(rng.uuid())),
        ("version_number", J::Int(1 + (dag as i64 % 4))),
        ("dag_id", s(dag_id)),
        ("bundle_name", s("dags-folder")),
        ("bundle_version", J::Null),
        ("created_at", s(date(BASE - 7 * 86_400, rng.micros()))),
        ("dag_display_name", s(dag_display)),
        ("bundle_url", J::Null),
    ])
}
