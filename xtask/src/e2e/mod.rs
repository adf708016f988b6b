//! `cargo xtask e2e`: provisions a real Airflow and runs the end-to-end suite against it.
//!
//! build the tests → venv (cached in `target/e2e/venv`) → fresh `target/e2e/home` →
//! `airflow db migrate` → api-server, scheduler, dag-processor, triggerer on 127.0.0.1 →
//! wait for `/api/v2/monitor/health` → run the e2e test binary → stop exactly those services.
//! The Dags come from `tests/e2e/dags/`; the tests set up their own data through the API.

mod home;
mod processes;
mod proctable;
mod provision;
mod readiness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::root;
use home::Home;
use processes::Services;

const HELP: &str = "\
usage: cargo xtask e2e [--serve] [-- TEST ARGS...]

Installs Apache Airflow into target/e2e/venv (once), starts it on a free 127.0.0.1 port with a
fresh target/e2e/home, runs the tests of `cargo test -p airflow-codegen-tests --test e2e`
against it and stops everything it started.

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
    // Built before Airflow starts: a compile error needs no server, and the binary that runs
    // is exactly the one built, whatever changes in the work tree meanwhile.
    let tests = if options.serve {
        None
    } else {
        Some(timed("building the e2e tests", build_tests)?)
    };
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
    let outcome = match &tests {
        Some(binary) => timed("running the e2e tests", || {
            run_tests(binary, &home, &options.test_args)
        }),
        None => serve(&home, &mut services),
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

fn run_tests(binary: &Path, home: &Home, extra: &[String]) -> Result<(), String> {
    let status = Command::new(binary)
        .arg("--test-threads=1")
        .args(extra)
        .env("AIRFLOW_E2E_URL", home.url())
        .env("AIRFLOW_E2E_USER", home::USER)
        .env("AIRFLOW_E2E_PASSWORD", home::PASSWORD)
        .env("NO_PROXY", "127.0.0.1,localhost")
        // Where `cargo test` would run it: the test crate's directory.
        .current_dir(root().join("tests"))
        .status()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the e2e tests failed ({status})"))
    }
}

/// `cargo test -p airflow-codegen-tests --test e2e --no-run` (the target is `test = false`,
/// so only naming it builds it), answering the path of the test binary.
fn build_tests() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "test",
            "-p",
            "airflow-codegen-tests",
            "--test",
            "e2e",
            "--no-run",
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running cargo test --no-run: {e}"))?;
    if !output.status.success() {
        return Err(format!("building the e2e tests failed ({})", output.status));
    }
    test_executable(&String::from_utf8_lossy(&output.stdout))
}

/// The `executable` of the `e2e` test target among cargo's JSON messages.
fn test_executable(messages: &str) -> Result<PathBuf, String> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "e2e")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built no executable for the e2e test target".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_test_executable_among_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"xtask"},"executable":null}
not json
{"reason":"compiler-artifact","target":{"name":"e2e"},"executable":"/t/debug/deps/e2e-123"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            test_executable(messages),
            Ok(PathBuf::from("/t/debug/deps/e2e-123"))
        );
        assert!(test_executable(r#"{"reason":"build-finished"}"#).is_err());
    }

    #[test]
    fn options_split_at_the_double_dash() {
        let args: Vec<String> = ["--serve", "--", "--nocapture", "hitl"]
            .map(String::from)
            .to_vec();
        let options = Options::parse(&args).unwrap().unwrap();
        assert!(options.serve);
        assert_eq!(options.test_args, ["--nocapture", "hitl"]);
        assert!(Options::parse(&["--bogus".to_string()]).is_err());
    }
}
