//! `cargo xtask e2e`: provisions real Airflow servers and runs the end-to-end suite against
//! each, one release after the other.
//!
//! build the tests → for each release, newest first: venv (cached in
//! `target/e2e/<version>/venv`) → fresh `target/e2e/<version>/home` → `airflow db migrate` →
//! api-server, scheduler, dag-processor, triggerer on 127.0.0.1 → wait for
//! `/api/v2/monitor/health` → run the e2e test binary with `AIRFLOW_E2E_VERSION` → stop
//! exactly those services. The Dags come from `tests/e2e/dags/`; the tests set up their own
//! data through the API.

mod home;
mod logs;
mod processes;
mod proctable;
mod provision;
mod readiness;
mod venv;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use home::Home;
use processes::Services;
use provision::Release;
use xtask::root;

const HELP: &str = "\
usage: cargo xtask e2e [--airflow VERSION]... [--serve] [-- TEST ARGS...]

For each Airflow release (by default 3.3.2, 3.2.2, 3.1.8 and 3.0.6, newest first): installs it into
target/e2e/VERSION/venv (once), starts it on a free 127.0.0.1 port with a fresh
target/e2e/VERSION/home, runs the tests of `cargo test -p airflow-codegen-tests --test e2e`
against it (AIRFLOW_E2E_VERSION=VERSION) and stops everything it started. A release whose
tests fail does not stop the next one; the summary names each outcome.

  --airflow V   run against release V only (repeatable; any 3.x.y release can be tried)
  --serve       start Airflow and keep it running until Ctrl-C instead of running the tests
                (one release: the newest, or the one --airflow names)
  -- ARGS...    passed to the test binary (a test name filter, --nocapture, ...)
";

/// How long the services get to report healthy.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug)]
struct Options {
    releases: Vec<Release>,
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
        let mut releases = Vec::new();
        let mut args = ours.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--serve" => serve = true,
                "--airflow" => {
                    let version = args.next().ok_or("--airflow needs a version")?;
                    releases.push(Release::parse(version)?);
                }
                "--help" | "-h" => {
                    print!("{HELP}");
                    return Ok(None);
                }
                other => match other.strip_prefix("--airflow=") {
                    Some(version) => releases.push(Release::parse(version)?),
                    None => return Err(format!("unexpected argument `{other}`\n{HELP}")),
                },
            }
        }
        if releases.is_empty() {
            let all = provision::RELEASES.iter().map(|v| Release::parse(v));
            releases = all.collect::<Result<_, _>>()?;
            if serve {
                releases.truncate(1);
            }
        }
        // A release named twice runs once, where it was first named.
        let mut seen = Vec::new();
        releases.retain(|r| {
            let first = !seen.contains(&r.version);
            seen.push(r.version.clone());
            first
        });
        if serve && releases.len() > 1 {
            return Err("--serve keeps one release up: name at most one --airflow".into());
        }
        Ok(Some(Options {
            releases,
            serve,
            test_args,
        }))
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
    let mut outcomes = Vec::new();
    for release in &options.releases {
        println!("e2e: ── Airflow {} ──", release.version);
        let release_started = Instant::now();
        let outcome = run_release(release, tests.as_deref(), &options.test_args);
        if let Err(e) = &outcome {
            eprintln!("e2e: Airflow {}: {e}", release.version);
        }
        outcomes.push((release, outcome.is_ok(), release_started.elapsed()));
    }
    println!("e2e: finished in {:.0?}", started.elapsed());
    for (release, ok, took) in &outcomes {
        let verdict = if *ok { "passed" } else { "FAILED" };
        println!(
            "e2e:   Airflow {:<7} {verdict} in {took:.0?}",
            release.version
        );
    }
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|(_, ok, _)| !ok)
        .map(|(release, _, _)| release.version.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the e2e suite failed against Airflow {}",
            failed.join(", ")
        ))
    }
}

/// The interpreter of the venv of Airflow `version` (provisioned when missing or stale), for
/// commands that run the release's own code or its Python packages without its services.
pub fn python(version: &str) -> Result<PathBuf, String> {
    let release = Release::parse(version)?;
    let dir = root().join("target/e2e").join(&release.version);
    let dags = root().join("tests/e2e/dags");
    let home = Home::create(&dir.join("home"), &dags, readiness::free_port()?)?;
    Ok(provision::ensure(&release, &dir.join("venv"), &home)?.python())
}

/// One release from install to stop: the tests (or, without a test binary, serving until
/// Ctrl-C) between starting the services and stopping exactly them.
fn run_release(
    release: &Release,
    tests: Option<&Path>,
    test_args: &[String],
) -> Result<(), String> {
    let dir = root().join("target/e2e").join(&release.version);
    let home = Home::create(
        &dir.join("home"),
        &root().join("tests/e2e/dags"),
        readiness::free_port()?,
    )?;
    let venv = timed("provisioning the venv", || {
        provision::ensure(release, &dir.join("venv"), &home)
    })?;
    timed("airflow db migrate", || home.migrate(&venv))?;
    let mut services = Services::start(&home, &venv)?;
    let outcome = timed("waiting for the services to be healthy", || {
        wait_ready(&home, &mut services)
    })
    .and_then(|()| match tests {
        Some(binary) => timed("running the e2e tests", || {
            run_tests(binary, &home, release, test_args)
        }),
        None => serve(&home, release, &mut services),
    });
    let stopped = services.stop();
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
fn serve(home: &Home, release: &Release, services: &mut Services) -> Result<(), String> {
    println!(
        "e2e: Airflow {} is up. Press Ctrl-C to stop it.\n\n  export AIRFLOW_E2E_URL={}\n  export AIRFLOW_E2E_USER={}\n  export AIRFLOW_E2E_PASSWORD={}\n  export AIRFLOW_E2E_VERSION={}\n\n  logs: {}\n",
        release.version,
        home.url(),
        home::USER,
        home::PASSWORD,
        release.version,
        home.dir.display()
    );
    loop {
        services.check_running()?;
        sleep(Duration::from_secs(1));
    }
}

fn run_tests(
    binary: &Path,
    home: &Home,
    release: &Release,
    extra: &[String],
) -> Result<(), String> {
    let status = Command::new(binary)
        .arg("--test-threads=1")
        .args(extra)
        .env("AIRFLOW_E2E_URL", home.url())
        .env("AIRFLOW_E2E_USER", home::USER)
        .env("AIRFLOW_E2E_PASSWORD", home::PASSWORD)
        .env("AIRFLOW_E2E_VERSION", &release.version)
        .env("NO_PROXY", "127.0.0.1,localhost")
        // Where `cargo test` would run it: the test crate's directory.
        .current_dir(root().join("tests"))
        .status()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the e2e tests failed against Airflow {} ({status})",
            release.version
        ))
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

    fn versions(args: &[&str]) -> Result<Vec<String>, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let options = Options::parse(&args)?.expect("not --help");
        Ok(options.releases.into_iter().map(|r| r.version).collect())
    }

    #[test]
    fn every_release_by_default_newest_first() {
        assert_eq!(versions(&[]).unwrap(), ["3.3.2", "3.2.2", "3.1.8", "3.0.6"]);
        assert_eq!(versions(&["--serve"]).unwrap(), ["3.3.2"]);
    }

    #[test]
    fn airflow_picks_releases_in_the_order_given() {
        assert_eq!(
            versions(&[
                "--airflow",
                "3.0.6",
                "--airflow=3.1.8",
                "--",
                "--airflow",
                "x"
            ])
            .unwrap(),
            ["3.0.6", "3.1.8"]
        );
        assert_eq!(
            versions(&["--serve", "--airflow", "3.1.8"]).unwrap(),
            ["3.1.8"]
        );
        assert!(versions(&["--serve", "--airflow", "3.1.8", "--airflow", "3.0.6"]).is_err());
        assert!(versions(&["--airflow"]).is_err());
        assert!(versions(&["--airflow", "3.1"]).is_err());
        assert!(versions(&["--airflow", "2.11.0"]).is_err());
    }
}
