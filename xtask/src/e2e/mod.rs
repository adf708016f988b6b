//! `cargo xtask e2e`: provisions a real Airflow and runs the end-to-end suite against it.
//!
//! build the tests → venv (cached in `target/e2e/venv`) → fresh `target/e2e/home` →
//! `airflow db migrate` → api-server, scheduler, dag-processor, triggerer on 127.0.0.1 →
//! wait for `/api/v2/monitor/health` → `cargo test --test e2e` → stop exactly those services.
//! The Dags come from `tests/e2e/dags/`; the tests set up their own data through the API.

mod home;
mod processes;
mod proctable;
mod provision;
mod readiness;

use std::path::PathBuf;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::root;
use home::Home;
use processes::Services;

const HELP: &str = "\
usage: cargo xtask e2e [--serve] [-- TEST ARGS...]

Installs Apache Airflow into target/e2e/venv (once), starts it on a free 127.0.0.1 port with a
fresh target/e2e/home, runs `cargo test -p airflow-codegen-tests --test e2e` against it and
stops everything it started.

  --serve       start Airflow and keep it running until Ctrl-C instead of running the tests
  -- ARGS...    passed to the test binary (a test name filter, --nocapture, ...)
";

/// How long the services get to report healthy.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

struct Options {
    serve: bool,
    test_args: Vec<String>,
}

impl Options {
    fn parse(rest: &[String]) -> Result<Option<Options>, String> {
        let (ours, test_args) = match rest.iter().position(|a| a == "--") {
            Some(i) => (&rest[..i], rest[i + 1..].to_vec()),
            None => (rest, Vec::new()),
        };
        let mut serve = false;
        for arg in ours {
            match arg.as_str() {
                "--serve" => serve = true,
                "--help" | "-h" => {
                    print!("{HELP}");
                    return Ok(None);
                }
                other => return Err(format!("unexpected argument `{other}`\n{HELP}")),
            }
        }
        Ok(Some(Options { serve, test_args }))
    }
}

pub fn run(rest: &[String]) -> Result<(), String> {
    let Some(options) = Options::parse(rest)? else {
        return Ok(());
    };
    let started = Instant::now();
    if !options.serve {
        // A compile error needs no Airflow: find it before spending a minute on one.
        timed("building the e2e tests", || {
            cargo_test(&["--no-run"], &[]).map(|_| ())
        })?;
    }
    let dir = root().join("target/e2e");
    let home = Home::create(
        &dir.join("home"),
        &root().join("tests/e2e/dags"),
        readiness::free_port()?,
    )?;
    let venv = timed("provisioning the venv", || {
        provision::ensure(&dir.join("venv"), &home)
    })?;
    timed("airflow db migrate", || home.migrate(&venv))?;
    let mut services = Services::start(&home, &venv)?;
    timed("waiting for the services to be healthy", || {
        wait_ready(&home, &mut services)
    })?;
    let outcome = if options.serve {
        serve(&home, &mut services)
    } else {
        run_tests(&home, &options.test_args)
    };
    let stopped = services.stop();
    println!("e2e: finished in {:.0?}", started.elapsed());
    match (outcome, stopped) {
        (Err(failed), Err(leftovers)) => Err(format!("{failed}\n{leftovers}")),
        (Err(failed), Ok(())) => Err(failed),
        (Ok(()), stopped) => stopped,
    }
}

fn timed<T>(what: &str, step: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let started = Instant::now();
    println!("e2e: {what}...");
    let result = step();
    if result.is_ok() {
        println!("e2e: {what}: done in {:.1?}", started.elapsed());
    }
    result
}

fn wait_ready(home: &Home, services: &mut Services) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        services.check_running()?;
        let last = match readiness::health(home.port) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "Airflow at {} was not healthy after {READY_TIMEOUT:?} ({last}); logs are in {}",
                home.url(),
                home.dir.display()
            ));
        }
        sleep(Duration::from_millis(500));
    }
}

/// Keeps the services up for manual use until Ctrl-C (whose handler stops them and exits).
fn serve(home: &Home, services: &mut Services) -> Result<(), String> {
    println!(
        "e2e: Airflow is up. Press Ctrl-C to stop it.\n\n  export AIRFLOW_E2E_URL={}\n  export AIRFLOW_E2E_USER={}\n  export AIRFLOW_E2E_PASSWORD={}\n\n  logs: {}\n",
        home.url(),
        home::USER,
        home::PASSWORD,
        home.dir.display()
    );
    loop {
        services.check_running()?;
        sleep(Duration::from_secs(1));
    }
}

fn run_tests(home: &Home, extra: &[String]) -> Result<(), String> {
    let mut args = vec!["--".to_string(), "--test-threads=1".to_string()];
    args.extend(extra.iter().cloned());
    let env = [
        ("AIRFLOW_E2E_URL", home.url()),
        ("AIRFLOW_E2E_USER", home::USER.to_string()),
        ("AIRFLOW_E2E_PASSWORD", home::PASSWORD.to_string()),
        ("AIRFLOW_E2E_HOME", home.dir.display().to_string()),
        ("NO_PROXY", "127.0.0.1,localhost".to_string()),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    timed("running the e2e tests", || cargo_test(&args, &env))
}

/// `cargo test -p airflow-codegen-tests --test e2e ARGS`; the `e2e` target is `test = false`,
/// so naming it is the only way it runs.
fn cargo_test(args: &[&str], env: &[(&str, String)]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "-p", "airflow-codegen-tests", "--test", "e2e"])
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(root())
        .status()
        .map_err(|e| format!("running cargo test: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo test --test e2e failed ({status})"))
    }
}
