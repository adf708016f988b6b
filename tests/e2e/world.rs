//! The data every test reads: set up once through the API (log in, create the pool, unpause the
//! Dags, trigger the runs, wait for them) and shared by all tests of the binary.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use airflow_client::apis::TaskInstanceApi;
use airflow_client::models::TaskInstanceState;
use airflow_client::Client;
use serde_json::json;

use crate::raw;

pub const TI_DAG: &str = "e2e_task_instances";
pub const HITL_DAG: &str = "e2e_hitl";
pub const POOL_DAG: &str = "e2e_zero_pool";
pub const TRIGGERED_DAG: &str = "e2e_triggered";
pub const SLOW_LOG_DAG: &str = "e2e_slow_log";
/// How many lines `e2e_slow_log.tick` prints, half a second apart.
pub const TICKS: usize = 40;
pub const ZERO_POOL: &str = "e2e_zero_slots";
/// How many instances `e2e_zero_pool.starved` maps to.
pub const STARVED: i64 = 250;

/// How long a run may take to reach the state the tests need (runs finish in 15–40 s alone;
/// here six run side by side on two cores).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// Where the server is and which runs the setup made.
#[derive(Debug)]
pub struct World {
    url: String,
    user: String,
    password: String,
    /// Never modified: every read-only test and every dry run uses it.
    pub pristine: String,
    /// Patched, bulk-edited and deleted by the mutation tests.
    pub mutated: String,
    /// Cleared and rerun by the clear test.
    pub cleared: String,
    /// Its `approve` task stays awaiting input.
    pub awaiting: String,
    /// Its `approve` task gets answered by the update test.
    pub answered: String,
    /// Its 250 mapped instances sit in the zero-slot pool.
    pub starved: String,
}

impl World {
    pub async fn client(&self) -> Client {
        Client::builder(&self.url)
            .timeout(Duration::from_secs(60))
            .login(&self.user, &self.password)
            .await
            .unwrap_or_else(|e| panic!("logging in to {} as {}: {e}", self.url, self.user))
    }

    /// A client that sends no credentials.
    pub fn anonymous(&self) -> Client {
        Client::builder(&self.url)
            .build()
            .expect("the URL was valid for the setup")
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn user(&self) -> &str {
        &self.user
    }
}

/// Runs one test against the shared world, on a runtime of its own (a client's connections
/// belong to the runtime that opened them, so nothing async is shared between tests).
pub fn e2e<F, Fut>(test: F)
where
    F: FnOnce(&'static World) -> Fut,
    Fut: Future<Output = ()>,
{
    let world = world();
    runtime().block_on(test(world));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The world, set up by the first test that asks; a failed setup fails every test with its reason.
fn world() -> &'static World {
    static WORLD: OnceLock<Result<World, String>> = OnceLock::new();
    let result = WORLD.get_or_init(|| {
        std::thread::spawn(|| runtime().block_on(setup()))
            .join()
            .unwrap_or_else(|panic| Err(format!("the setup panicked: {panic:?}")))
    });
    match result {
        Ok(world) => world,
        Err(e) => panic!("e2e setup failed: {e}"),
    }
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .map_err(|_| format!("{name} is not set: run the end-to-end tests with `cargo xtask e2e`"))
}

async fn setup() -> Result<World, String> {
    let url = env("AIRFLOW_E2E_URL")?;
    let user = env("AIRFLOW_E2E_USER")?;
    let password = env("AIRFLOW_E2E_PASSWORD")?;
    let client = Client::builder(&url)
        .timeout(Duration::from_secs(60))
        .login(&user, &password)
        .await
        .map_err(|e| format!("logging in to {url}: {e}"))?;
    wait_for_dags(&client).await?;
    create_zero_pool(&client).await?;
    for dag in [TI_DAG, HITL_DAG, POOL_DAG, SLOW_LOG_DAG] {
        raw::unpause(&client, dag).await?;
    }
    // Run ids carry `+` and `:` like Airflow's own; the timestamp keeps them unique, so the
    // suite can run again against the same server (`cargo xtask e2e --serve`).
    let stamp = now()?.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string();
    let world = World {
        pristine: format!("manual__{stamp}"),
        mutated: format!("mutated__{stamp}"),
        cleared: format!("cleared__{stamp}"),
        awaiting: format!("awaiting__{stamp}"),
        answered: format!("answered__{stamp}"),
        starved: format!("starved__{stamp}"),
        url,
        user,
        password,
    };
    for run in [&world.pristine, &world.mutated, &world.cleared] {
        raw::trigger(&client, TI_DAG, run).await?;
    }
    for run in [&world.awaiting, &world.answered] {
        raw::trigger(&client, HITL_DAG, run).await?;
    }
    raw::trigger(&client, POOL_DAG, &world.starved).await?;
    for run in [&world.pristine, &world.mutated, &world.cleared] {
        wait_for_success(&client, TI_DAG, run).await?;
    }
    for run in [&world.awaiting, &world.answered] {
        wait_for_hitl(&client, run).await?;
    }
    wait_for_starved(&client, &world.starved).await?;
    Ok(world)
}

/// The current time (chrono's `clock` feature is not among this crate's dependencies).
fn now() -> Result<chrono::DateTime<chrono::Utc>, String> {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let seconds = i64::try_from(since_epoch.as_secs()).map_err(|e| e.to_string())?;
    chrono::DateTime::from_timestamp(seconds, since_epoch.subsec_nanos())
        .ok_or_else(|| "the clock is out of range".to_string())
}

/// The dag-processor parses the Dags right after it starts. An import error fails at once (a
/// broken Dag file would otherwise only look like a Dag that never shows up).
async fn wait_for_dags(client: &Client) -> Result<(), String> {
    eventually(
        "the Dags to be parsed",
        Duration::from_secs(120),
        || async move {
            let errors = raw::get(client, "/api/v2/importErrors").await?;
            if errors["total_entries"] != 0 {
                return Err(format!("the Dags have import errors: {errors}"));
            }
            for dag in [TI_DAG, HITL_DAG, POOL_DAG, TRIGGERED_DAG, SLOW_LOG_DAG] {
                if raw::get_status(client, &format!("/api/v2/dags/{dag}")).await? != 200 {
                    return Ok(false);
                }
            }
            Ok(true)
        },
    )
    .await
}

async fn create_zero_pool(client: &Client) -> Result<(), String> {
    let body =
        json!({"name": ZERO_POOL, "slots": 0, "description": "e2e: instances that never run"});
    let (status, answer) = raw::send(client, "POST", "/api/v2/pools", Some(body)).await?;
    match status {
        200 | 201 => Ok(()),
        // A second run of the suite against the same server.
        409 => Ok(()),
        _ => Err(format!("creating pool {ZERO_POOL}: {status} {answer}")),
    }
}

pub async fn wait_for_success(client: &Client, dag: &str, run: &str) -> Result<(), String> {
    eventually(
        &format!("run {dag}/{run} to succeed"),
        RUN_TIMEOUT,
        || async move {
            match raw::run_state(client, dag, run).await?.as_str() {
                "success" => Ok(true),
                "failed" => Err(format!(
                    "run {dag}/{run} failed: {}",
                    task_states(client, dag, run).await
                )),
                _ => Ok(false),
            }
        },
    )
    .await
}

/// An `e2e_hitl` run is ready when `approve` awaits input and `wait_forever` is deferred.
async fn wait_for_hitl(client: &Client, run: &str) -> Result<(), String> {
    let api = TaskInstanceApi::new(client);
    eventually(
        &format!("run {HITL_DAG}/{run} to await input"),
        RUN_TIMEOUT,
        || {
            let api = api.clone();
            async move {
                let state = |task: &'static str| {
                    let api = api.clone();
                    async move {
                        let ti = api
                            .get_task_instance(HITL_DAG, run, task)
                            .await
                            .map_err(|e| e.to_string())?;
                        Ok::<_, String>(ti.state)
                    }
                };
                let approve = state("approve").await?;
                let wait = state("wait_forever").await?;
                if matches!(approve, Some(TaskInstanceState::Failed))
                    || matches!(wait, Some(TaskInstanceState::Failed))
                {
                    return Err(format!(
                        "run {HITL_DAG}/{run}: {}",
                        task_states(client, HITL_DAG, run).await
                    ));
                }
                Ok(approve == Some(TaskInstanceState::AwaitingInput)
                    && wait == Some(TaskInstanceState::Deferred))
            }
        },
    )
    .await
}

/// The starved run is ready when all its instances exist and are scheduled.
async fn wait_for_starved(client: &Client, run: &str) -> Result<(), String> {
    let path = format!(
        "/api/v2/dags/{POOL_DAG}/dagRuns/{}/taskInstances?state=scheduled&limit=1",
        raw::encode(run)
    );
    eventually(
        &format!("{STARVED} scheduled instances in {POOL_DAG}/{run}"),
        RUN_TIMEOUT,
        || {
            let path = path.clone();
            async move { Ok(raw::get(client, &path).await?["total_entries"] == STARVED) }
        },
    )
    .await
}

/// `task: state` for every instance of a run, for failure messages.
async fn task_states(client: &Client, dag: &str, run: &str) -> String {
    let path = format!(
        "/api/v2/dags/{dag}/dagRuns/{}/taskInstances?limit=100",
        raw::encode(run)
    );
    match raw::get(client, &path).await {
        Ok(page) => page["task_instances"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|ti| format!("{}[{}]={}", ti["task_id"], ti["map_index"], ti["state"]))
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => e,
    }
}

/// Polls `check` every half second until it says `true`, fails, or `timeout` passes.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, String>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await? {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
