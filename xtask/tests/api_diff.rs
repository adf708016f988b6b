//! The API change report for the 3.2.2 → 3.3.2 bump, exactly as `cargo xtask api-diff 3.2.2
//! 3.3.2` prints it. Both documents come from the released wheels, downloaded with pip into
//! `target/airflow-wheels/` once and read from there afterwards, so these tests need the
//! package registry on their first run.
//!
//! The snapshot pins the whole report, every tag: it is about 140 lines, short enough to read
//! in one go, and this bump's breaking changes lie outside the "Task Instance" tag the emitted
//! crate covers, so a Task Instance excerpt would not show a reviewer what the marks look like.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use xtask::api_changes::{Change, Report, Source};
use xtask::fetch_spec;
use xtask::root;
use xtask::spec::REST_FILE;
use xtask::wheels::wheel_cache;

const FROM: &str = "3.2.2";
const TO: &str = "3.3.2";

/// The report, built once per test binary (so the wheels are downloaded at most once).
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let version = |v: &str| Source::Version(v.to_string());
        Report::between(&version(FROM), &version(TO), &wheel_cache())
            .unwrap_or_else(|e| panic!("building the {FROM} → {TO} report: {e}"))
    })
}

fn change(text: &str) -> &'static Change {
    report()
        .changes
        .iter()
        .find(|c| c.text == text)
        .unwrap_or_else(|| panic!("the report has no line `{text}`"))
}

#[test]
fn the_command_prints_the_pinned_report() {
    report();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["api-diff", FROM, TO])
        .output()
        .expect("the xtask binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "api-diff failed: {stderr}");
    let stdout = String::from_utf8(output.stdout).expect("the report is UTF-8");
    insta::assert_snapshot!("api_diff_3_2_2_to_3_3_2", stdout);
}

#[test]
fn changes_are_marked_breaking_or_not() {
    let report = report();
    assert!(report.changes.iter().any(|c| c.breaking));
    assert!(report.changes.iter().any(|c| !c.breaking));

    // A new operation breaks no one.
    let added = change("added `patch_task_group_instances` (PATCH /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskGroupInstances/{group_id})");
    assert_eq!(added.tag, "Task Instance");
    assert!(!added.breaking);
    // Enums are open: a new value in a response is read as `Unknown` by older clients.
    assert!(!change("`TaskInstanceState` (request and response) added `awaiting_input`").breaking);
    // A new optional request field, and a request field that may now be null, break no caller.
    assert!(
        !change("`ClearTaskInstancesBody.note` (request) added (String, optional, nullable)")
            .breaking
    );
    assert!(
        !change("`ClearTaskInstancesBody.run_on_latest_version` (request) is now nullable")
            .breaking
    );
    // A response field that may now be absent or null must be handled by its readers.
    assert!(change("`VariableResponse.value` (response) is now nullable").breaking);
    assert!(change("`VariableResponse.value` (response) is now optional").breaking);
    // A field whose enum type changed name breaks code that names the type.
    assert!(
        change(
            "`DagRunPatchBody.state` (request) type `DagRunPatchStates` → `DagRunMutableStates`"
        )
        .breaking
    );
}

#[test]
fn tags_narrow_the_details_but_not_the_summary() {
    let only = report()
        .render(&["Task Instance".to_string()])
        .expect("Task Instance is a tag");
    assert!(only.contains("\n## Task Instance\n"));
    assert!(!only.contains("\n## Variable\n"));
    assert!(only.contains("\n- Variable: 2 breaking, 0 not breaking\n"));
    let error = report()
        .render(&["Task Instances".to_string()])
        .expect_err("no such tag");
    assert!(
        error.contains("neither API has the tag `Task Instances`"),
        "{error}"
    );
}

#[test]
fn a_version_or_a_file_names_each_side() {
    assert_eq!(Source::parse("3.2.2"), Ok(Source::Version("3.2.2".into())));
    let spec = root().join("spec").join(REST_FILE);
    let path = spec.to_str().expect("a UTF-8 path");
    assert_eq!(Source::parse(path), Ok(Source::Path(spec.clone())));
    let error = Source::parse("no/such/file.yaml").expect_err("neither");
    assert!(
        error.contains("neither a file nor a release version"),
        "{error}"
    );
}

/// `fetch-spec` prints the same report for the bump it makes, from the release `spec/` held.
#[test]
fn fetch_spec_reports_the_bump_it_makes() {
    let expected = report().render(&[]).expect("every tag");
    let spec = root().join("target/api-diff-test/spec");
    let _ = std::fs::remove_dir_all(&spec);
    let first = fetch_spec::update(FROM, &spec, &wheel_cache()).expect("fetching 3.2.2");
    assert!(first.ends_with("no change report\n"), "{first}");
    let bump = fetch_spec::update(TO, &spec, &wheel_cache()).expect("fetching 3.3.2");
    assert_eq!(
        bump,
        format!("spec/ now holds the documents of apache-airflow-core {TO}\n\n{expected}")
    );
    assert!(Path::new(&spec.join("PROVENANCE.yaml")).is_file());
}
