//! The programs in the crate's `examples/`, each run against the live server as its usage
//! line says, with the world's DAG, run, task and try in place of the placeholders; and a
//! call's own options and response headers.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use airflow_client::Error;

use crate::world::{e2e, World, TI_DAG};

/// `cargo build --examples` of the emitted crate, answering each example's executable by name.
fn build_examples() -> Vec<(String, PathBuf)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "-p", "airflow-client", "--examples"])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(xtask::root())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building the examples failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["kind"][0] == "example")
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?.to_string();
            Some((name, PathBuf::from(m["executable"].as_str()?)))
        })
        .collect()
}

/// The arguments an example's usage line (`cargo run --example NAME -- URL USER PASSWORD
/// DAG_ID ...`) asks for, filled in from `world`; an optional `[--flag]` is left out, so a
/// program that changes something runs as its dry run.
fn arguments(source: &str, world: &World) -> Vec<String> {
    let usage = source
        .lines()
        .find_map(|l| l.strip_prefix("//! `cargo run --example "))
        .expect("the example's docs give its usage line");
    let args = usage
        .split_once(" -- ")
        .map_or("", |(_, args)| args)
        .trim_end_matches('`');
    args.split_whitespace()
        .enumerate()
        .filter(|(_, word)| !word.starts_with('['))
        .map(|(i, word)| match (i, word) {
            (0, _) => world.url().to_string(),
            (1, _) => world.user().to_string(),
            (2, _) => world.password().to_string(),
            (_, "DAG_ID") => TI_DAG.to_string(),
            (_, "RUN_ID") => world.pristine.clone(),
            (_, "TASK_ID") => "flaky".to_string(),
            (_, "TRY") => "2".to_string(),
            (_, other) => panic!("no value for the placeholder {other} in `{usage}`"),
        })
        .collect()
}

#[test]
fn every_example_runs_against_the_server() {
    e2e(|world| async move {
        let examples = build_examples();
        let dir = xtask::root().join("generated/examples");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("generated/examples")
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_suffix(".rs")
                    .map(String::from)
            })
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for name in names {
            let source = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
            let (_, executable) = examples
                .iter()
                .find(|(built, _)| *built == name)
                .unwrap_or_else(|| panic!("example {name} was not built"));
            let output = Command::new(executable)
                .args(arguments(&source, world))
                .env("NO_PROXY", "127.0.0.1,localhost")
                .output()
                .expect("the example starts");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "{name} failed: {}\n{stdout}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(!stdout.trim().is_empty(), "{name} printed nothing");
        }
    });
}

#[test]
fn a_call_carries_its_own_deadline_and_headers_and_reads_the_response_headers() {
    e2e(|world| async move {
        let client = world.client().await;
        let api = client.task_instance();

        let reply = api
            .get_task_instance(TI_DAG, &world.pristine, "flaky")
            .deadline(Duration::from_secs(30))
            .header("x-request-id", "e2e-request")
            .with_response()
            .await
            .expect("answers well within the deadline");
        let hurried = api
            .get_task_instance(TI_DAG, &world.pristine, "flaky")
            .deadline(Duration::from_micros(1))
            .await;

        assert_eq!(reply.status, 200);
        assert_eq!(reply.data.task_id, "flaky");
        let content_type = reply.headers["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert!(reply.headers.contains_key("date"), "{:?}", reply.headers);
        match hurried {
            Err(Error::Deadline { deadline, .. }) => {
                assert_eq!(deadline, Duration::from_micros(1))
            }
            other => panic!("expected Error::Deadline, got {other:?}"),
        }
    });
}
