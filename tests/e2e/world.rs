//! The data every test reads: set up once through the API (log in, learn the server's release,
//! create the pool, unpause the Dags, trigger the runs, wait for them) and shared by all tests
//! of the binary.
//!
//! The suite runs against several Airflow releases (`cargo xtask e2e` passes the one it started
//! as `AIRFLOW_E2E_VERSION`). The setup reads the server's state as raw JSON, so it works
//! whatever a release's task instances look like; tests choose their expectations with
//! [`World::at_least`].

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

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

/// The first release with Human-in-the-loop (`HITLOperator`, the `hitlDetails` endpoints).
const FIRST_WITH_HITL: &str = "3.1.0";
/// The first release that parks an `HITLOperator` task in `awaiting_input`; before it the task
/// defers to a trigger.
const FIRST_AWAITING_INPUT: &str = "3.3.0";

/// How long a just-triggered run may still be missing (see [`wait_for_success`]).
const COMMIT_GRACE: Duration = Duration::from_secs(10);

/// Where the server is, which release it runs and which runs the setup made.
#[derive(Debug)]
pub struct World {
    url: String,
    user: String,
    password: String,
    version: (u32, u32, u32),
    /// Never modified: every read-only test and every dry run uses it.
    pub pristine: String,
    /// Patched, bulk-edited and deleted by the mutation tests.
    pub mutated: String,
    /// Cleared and rerun by the clear test.
    pub cleared: String,
    /// Its `approve` task stays awaiting input. Only triggered where [`World::has_hitl`].
    pub awaiting: String,
    /// Its `approve` task's log is followed while it waits, and answered. Only triggered
    /// where [`World::has_hitl`].
    pub followed: String,
    /// Its `approve` task gets answered by the update test. Only triggered where
    /// [`World::has_hitl`].
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

    pub fn password(&self) -> &str {
        &self.password
    }

    /// The server's release as `(major, minor, patch)`, from `GET /api/v2/version`.
    pub fn version(&self) -> (u32, u32, u32) {
        self.version
    }

    /// Whether the server runs `version` (`"3.1.0"`) or a later release.
    pub fn at_least(&self, version: &str) -> bool {
        let wanted = parse_version(version)
            .unwrap_or_else(|| panic!("`{version}` is not MAJOR.MINOR.PATCH"));
        self.version() >= wanted
    }

    /// Whether the server has Human-in-the-loop: only then does the `e2e_hitl` Dag exist and
    /// the `awaiting` and `answered` runs with it.
    pub fn has_hitl(&self) -> bool {
        self.at_least(FIRST_WITH_HITL)
    }
}

/// `MAJOR.MINOR.PATCH`, ignoring anything after the patch's digits (`3.1.8+local`, `3.2.0rc1`).
pub fn parse_version(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next()?;
    let digits = patch
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(patch.len());
    Some((major, minor, patch[..digits].parse().ok()?))
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
    let version = server_version(&client).await?;
    // Run ids carry `+` and `:` like Airflow's own; the timestamp keeps them unique, so the
    // suite can run again against the same server (`cargo xtask e2e --serve`).
    let stamp = now()?.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string();
    let world = World {
        pristine: format!("manual__{stamp}"),
        mutated: format!("mutated__{stamp}"),
        cleared: format!("cleared__{stamp}"),
        awaiting: format!("awaiting__{stamp}"),
        answered: format!("answered__{stamp}"),
        followed: format!("followed__{stamp}"),
        starved: format!("starved__{stamp}"),
        url,
        user,
        password,
        version,
    };
    let hitl_runs = if world.has_hitl() {
        vec![&world.awaiting, &world.answered, &world.followed]
    } else {
        Vec::new()
    };
    let mut dags = vec![TI_DAG, POOL_DAG, TRIGGERED_DAG, SLOW_LOG_DAG];
    if world.has_hitl() {
        dags.push(HITL_DAG);
    }
    wait_for_dags(&client, &dags).await?;
    create_zero_pool(&client).await?;
    for dag in dags.iter().filter(|&&dag| dag != TRIGGERED_DAG) {
        raw::unpause(&client, dag).await?;
    }
    for run in [&world.pristine, &world.mutated, &world.cleared] {
        raw::trigger(&client, TI_DAG, run).await?;
    }
    for run in &hitl_runs {
        raw::trigger(&client, HITL_DAG, run).await?;
    }
    raw::trigger(&client, POOL_DAG, &world.starved).await?;
    for run in [&world.pristine, &world.mutated, &world.cleared] {
        wait_for_success(&client, TI_DAG, run).await?;
    }
    let asking = if world.at_least(FIRST_AWAITING_INPUT) {
        "awaiting_input"
    } else {
        "deferred"
    };
    for run in &hitl_runs {
        wait_for_hitl(&client, run, asking).await?;
    }
    wait_for_starved(&client, &world.starved).await?;
    Ok(world)
}

/// The release `GET /api/v2/version` reports, which must be the one `cargo xtask e2e` says it
/// started (`AIRFLOW_E2E_VERSION`, when set).
async fn server_version(client: &Client) -> Result<(u32, u32, u32), String> {
    let answer = raw::get(client, "/api/v2/version").await?;
    let reported = answer["version"]
        .as_str()
        .ok_or_else(|| format!("/api/v2/version has no version: {answer}"))?;
    let version = parse_version(reported)
        .ok_or_else(|| format!("/api/v2/version says `{reported}`, not MAJOR.MINOR.PATCH"))?;
    if let Ok(expected) = std::env::var("AIRFLOW_E2E_VERSION") {
        if parse_version(&expected) != Some(version) {
            return Err(format!(
                "AIRFLOW_E2E_VERSION is {expected} but the server says it runs {reported}"
            ));
        }
    }
    Ok(version)
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
async fn wait_for_dags(client: &Client, dags: &[&str]) -> Result<(), String> {
    eventually(
        "the Dags to be parsed",
        Duration::from_secs(120),
        || async move {
            let errors = raw::get(client, "/api/v2/importErrors").await?;
            if errors["total_entries"] != 0 {
                return Err(format!("the Dags have import errors: {errors}"));
            }
            for dag in dags {
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

/// Waits for a run to succeed. Airflow 3.0 answers a trigger before the run is committed, so
/// for a moment after it the run can still be missing (404).
pub async fn wait_for_success(client: &Client, dag: &str, run: &str) -> Result<(), String> {
    let run_path = &format!("/api/v2/dags/{dag}/dagRuns/{}", raw::encode(run));
    let started = tokio::time::Instant::now();
    eventually(
        &format!("run {dag}/{run} to succeed"),
        RUN_TIMEOUT,
        || async move {
            let (status, body) = raw::send(client, "GET", run_path, None).await?;
            match status {
                200 => {}
                404 if started.elapsed() < COMMIT_GRACE => return Ok(false),
                _ => return Err(format!("GET {run_path}: {status} {body}")),
            }
            match body["state"].as_str().unwrap_or_default() {
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

/// An `e2e_hitl` run is ready when `approve` asks (in state `asking`: `awaiting_input` from
/// 3.3 on, `deferred` before) and `wait_forever` is deferred.
async fn wait_for_hitl(client: &Client, run: &str, asking: &str) -> Result<(), String> {
    let instances = format!(
        "/api/v2/dags/{HITL_DAG}/dagRuns/{}/taskInstances",
        raw::encode(run)
    );
    eventually(
        &format!("run {HITL_DAG}/{run} to await input"),
        RUN_TIMEOUT,
        || {
            let instances = &instances;
            async move {
                let approve = raw::get(client, &format!("{instances}/approve")).await?;
                let wait = raw::get(client, &format!("{instances}/wait_forever")).await?;
                if approve["state"] == "failed" || wait["state"] == "failed" {
                    return Err(format!(
                        "run {HITL_DAG}/{run}: {}",
                        task_states(client, HITL_DAG, run).await
                    ));
                }
                Ok(approve["state"] == asking && wait["state"] == "deferred")
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
