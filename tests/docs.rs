//! The emitted crate's docs as a user reads them: examples a real server accepts, notes on
//! what differs by release, per-status error tables, and prose written for Rust.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use xtask::regen::Job;

fn generated() -> PathBuf {
    xtask::root().join("generated")
}

fn read(path: &str) -> String {
    fs::read_to_string(generated().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The docs page's section of each operation, by method name.
fn page_sections() -> BTreeMap<String, String> {
    let page = read("docs/TaskInstanceApi.md");
    page.split("\n## ")
        .skip(1)
        .map(|s| (s.lines().next().unwrap().trim().to_string(), s.to_string()))
        .collect()
}

/// Each operation's source file, by operationId.
fn operation_files() -> Vec<(String, String)> {
    let api = Job::default_job().run().unwrap().api;
    api.operations()
        .map(|(tag, op)| {
            let file = read(&format!("src/apis/{}/{}.rs", tag.module, op.module));
            (op.operation_id.clone(), file)
        })
        .collect()
}

/// The example call lines of the operations' rustdoc.
fn example_calls() -> Vec<String> {
    let files = operation_files().into_iter().map(|(_, text)| text);
    let lines: Vec<String> = files
        .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
        .collect();
    lines
        .into_iter()
        .filter(|l| l.trim_start().starts_with("/// let result = client."))
        .collect()
}

#[test]
fn examples_set_only_states_airflow_accepts() {
    let mut seen = 0;
    for (id, text) in operation_files() {
        for line in text.lines().filter(|l| l.contains(".new_state(")) {
            let state = line.split(".new_state(").nth(1).unwrap();
            assert!(
                ["Success", "Failed", "Skipped"]
                    .iter()
                    .any(|s| state.contains(&format!("TaskInstanceState::{s})"))),
                "{id} sets a state PATCH refuses (422): {line}"
            );
            seen += 1;
        }
    }
    assert!(
        seen >= 6,
        "the six patch examples set a state ({seen} seen)"
    );
}

#[test]
fn the_bulk_example_updates_and_deletes_and_reads_each_actions_errors() {
    let text = read("src/apis/task_instance/bulk_task_instances.rs");
    let docs: String = text
        .lines()
        .filter(|l| l.trim_start().starts_with("///"))
        .collect();
    assert!(
        !docs.contains("::Create("),
        "Airflow refuses every create action"
    );
    for wanted in [
        "BulkUpdateActionBulkTaskInstanceBody::new(",
        "BulkDeleteActionBulkTaskInstanceBody::new(",
        "answer.update",
        "answer.delete",
        "report.errors",
    ] {
        assert!(docs.contains(wanted), "the bulk docs lack `{wanted}`");
    }
}

#[test]
fn integer_arguments_of_an_example_are_distinct() {
    let mut checked = 0;
    for call in example_calls() {
        let args = call.split_once('(').unwrap().1;
        let numbers: Vec<&str> = args
            .split([',', '(', ')'])
            .map(str::trim)
            .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()))
            .collect();
        let mut distinct = numbers.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), numbers.len(), "two integers alike: {call}");
        checked += usize::from(numbers.len() > 1);
    }
    assert!(checked >= 2, "the try-details examples take two integers");
}

/// Every hand-written note reaches the operation's rustdoc and its docs page section; the
/// release differences measured on live servers are among them; no note names an operation
/// the API lacks.
#[test]
fn notes_reach_rustdoc_and_the_docs_page() {
    let job = Job::default_job();
    let (_, _, templates) = job.inputs().unwrap();
    let notes = templates.notes().unwrap().operations;
    let all_tags = Job {
        selection: airflow_codegen::Selection::All,
        ..Job::default_job()
    };
    let api = all_tags.run().unwrap().api;
    for id in notes.keys() {
        assert!(
            api.operations().any(|(_, op)| &op.operation_id == id),
            "notes.yaml names `{id}`, which no operation is"
        );
    }
    let sections = page_sections();
    let api = Job::default_job().run().unwrap().api;
    for (id, text) in operation_files() {
        let Some(note) = notes.get(&id) else { continue };
        let first = note.lines().next().unwrap().trim();
        assert!(
            text.contains(&format!("/// {first}")),
            "{id}'s rustdoc lacks its note"
        );
        let (_, op) = api
            .operations()
            .find(|(_, op)| op.operation_id == id)
            .unwrap();
        assert!(
            sections[&op.fn_name].contains(first),
            "{id}'s docs page section lacks its note"
        );
    }
    for (id, fact) in [
        ("post_clear_task_instances", "`dry_run` defaults to `true`"),
        ("post_clear_task_instances", "clears every map"),
        ("patch_task_instance", "3.0.6\nanswers 404"),
        ("get_task_instances", "since Airflow 3.2.0"),
        (
            "get_hitl_detail",
            "`awaiting_input` from Airflow 3.3.0, `deferred`",
        ),
    ] {
        let note = notes
            .get(id)
            .map(|n| n.replace("\n", " "))
            .unwrap_or_default();
        assert!(
            note.contains(&fact.replace('\n', " ")),
            "the note on {id} does not say: {fact}"
        );
    }
}

/// Each operation's rustdoc lists its documented statuses, as its docs page's table does.
#[test]
fn rustdoc_says_each_documented_error_status() {
    let api = Job::default_job().run().unwrap().api;
    let sections = page_sections();
    for (id, text) in operation_files() {
        let (_, op) = api
            .operations()
            .find(|(_, op)| op.operation_id == id)
            .unwrap();
        let page = sections[&op.fn_name]
            .split("Errors\n")
            .nth(1)
            .unwrap_or_default();
        let rows: Vec<Vec<&str>> = page
            .lines()
            .skip_while(|l| !l.starts_with("| status"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| {
                l.split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect()
            })
            .collect();
        assert!(rows.len() > 3, "{id}: the docs page has no error table");
        let rustdoc = text.split("/// # Errors\n").nth(1).unwrap_or_default();
        let sentence = rustdoc.lines().nth(1).unwrap_or_default();
        for row in rows {
            let said = format!("`{}` {} as {}", row[0], row[1], row[2]);
            assert!(
                sentence.contains(&said),
                "{id}: rustdoc does not say {said}: {sentence}"
            );
        }
    }
}

/// Prose from the document that speaks to Python users only is not carried over.
/// A parameter the API fixes (`dag_id` is `~` in the batch list) is filled in by its method:
/// no type of the crate stands for it, public or not.
#[test]
fn a_fixed_parameter_has_no_type() {
    let batch = read("src/apis/task_instance/get_task_instances_batch.rs");
    assert!(batch.contains("path_segment(\"~\")"), "{batch}");
    let models = read("src/models/mod.rs");
    assert!(!models.contains("GetTaskInstancesBatchDagId"), "{models}");
    assert!(!generated()
        .join("src/models/get_task_instances_batch_dag_id.rs")
        .exists());
}

#[test]
fn no_python_wording() {
    let mut files = xtask::signatures::read_tree(&generated()).unwrap();
    for path in ["README.md", "docs/TaskInstanceApi.md"] {
        files.push((path.to_string(), read(path)));
    }
    for phrase in [
        "type hint",
        "with Optional",
        "Optional[",
        "None is also allowed",
    ] {
        let found: Vec<&String> = files
            .iter()
            .filter(|(_, text)| text.contains(phrase))
            .map(|(path, _)| path)
            .collect();
        assert!(found.is_empty(), "`{phrase}` in {found:?}");
    }
}

/// A crate of the user's with the README's `[dependencies]` block and nothing else: the
/// README's first example (its `main`), every program in `examples/` and fixtures of response
/// models (`tests/user/fixtures.rs`) build there, with warnings denied, so no example leans on
/// a crate only the client depends on.
#[test]
fn examples_build_in_a_crate_that_depends_on_the_client_alone() {
    let readme = read("README.md");
    let block = |fence: &str| {
        let rest = readme
            .split(fence)
            .nth(1)
            .unwrap_or_else(|| panic!("no {fence} block"));
        rest.split("\n```").next().unwrap().to_string()
    };
    let dependencies = block("```toml\n");
    let names: Vec<&str> = dependencies
        .lines()
        .skip(1)
        .map(|l| l.split(" = ").next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["airflow-client", "tokio"],
        "the README's [dependencies] block"
    );
    let path = format!(
        "airflow-client = {{ path = {:?} }}",
        generated().display().to_string()
    );
    let dependencies = dependencies.replacen(dependencies.lines().nth(1).unwrap(), &path, 1);
    let dir = xtask::root().join("target/user-crate");
    let _ = fs::remove_dir_all(dir.join("examples"));
    fs::create_dir_all(dir.join("examples")).unwrap();
    fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = "[package]\nname = \"user\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n";
    fs::write(
        dir.join("Cargo.toml"),
        format!("{manifest}{dependencies}\n"),
    )
    .unwrap();
    fs::write(dir.join("src/main.rs"), block("```rust,no_run\n")).unwrap();
    let mut programs = vec![(
        "fixtures.rs".to_string(),
        xtask::root().join("tests/user/fixtures.rs"),
    )];
    for entry in fs::read_dir(generated().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        programs.push((path.file_name().unwrap().to_string_lossy().into(), path));
    }
    assert!(programs.len() >= 4, "the crate's examples: {programs:?}");
    for (name, path) in &programs {
        fs::copy(path, dir.join("examples").join(name)).unwrap();
    }
    // The workspace's lock: the same versions, no fresh resolution.
    fs::copy(xtask::root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let args = ["build", "--quiet", "--bins", "--examples"];
    if let Err(stderr) = xtask::test_all::cargo_strict(&dir, &dir.join("target"), &args) {
        panic!(
            "the user's crate in {} does not build:\n{stderr}",
            dir.display()
        );
    }
}

/// What the README names as a file of the package (a link, or a path in a code span) ships in
/// it, as `cargo package --list` says; no link points into the package at all on crates.io,
/// where relative links do not resolve, and nothing speaks of this repository's tools.
#[test]
fn the_readme_names_no_file_that_does_not_ship() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "-p", "airflow-client"])
        .current_dir(xtask::root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shipped = String::from_utf8(output.stdout).unwrap();
    let shipped: Vec<&str> = shipped.lines().collect();
    let readme = read("README.md");
    let text: String = readme
        .lines()
        .filter(|l| !l.starts_with("<!--"))
        .collect::<Vec<_>>()
        .join("\n");
    for link in text
        .split("](")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap())
    {
        assert!(
            link.starts_with("https://") || link.starts_with("http://"),
            "a relative link: {link}"
        );
    }
    for span in text.split('`').skip(1).step_by(2) {
        let file = span.trim_end_matches('/');
        if span.contains('/') && !span.contains("://") && !span.contains(' ') {
            assert!(
                shipped
                    .iter()
                    .any(|s| *s == file || s.starts_with(&format!("{file}/"))),
                "the README names `{span}`, which the package lacks"
            );
        }
    }
    for tool in ["xtask", "spec/", "templates/"] {
        assert!(
            !text.contains(tool),
            "the README speaks of `{tool}`, which does not ship"
        );
    }
    assert!(shipped.contains(&"CHANGELOG.md") && shipped.contains(&"docs/TaskInstanceApi.md"));
}

/// The CHANGELOG ships with the crate, has a section for the version the crate is and for what
/// is not released yet, and names the breaking changes an upgrade from 0.1 meets.
#[test]
fn the_changelog_names_breaking_changes_per_version() {
    let log = read("CHANGELOG.md");
    let manifest = read("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap();
    let sections: Vec<&str> = log.split("\n## ").skip(1).collect();
    let heading = |s: &&str| s.lines().next().unwrap_or_default().trim().to_string();
    let headings: Vec<String> = sections.iter().map(heading).collect();
    // The newest section is the crate's version, or changes not yet released.
    let version = version.trim_matches('"').to_string();
    let newest = headings.first().cloned().unwrap_or_default();
    assert!(newest == version || newest == "Unreleased", "{headings:?}");
    assert!(headings.contains(&version), "{headings:?}");
    let section = |name: &str| sections[headings.iter().position(|h| h == name).unwrap()];
    for (version, change) in [
        (
            "0.2.0",
            "`get_mapped_task_instance_try_details` takes `task_try_number` before `map_index`",
        ),
        ("0.2.0", "`#[non_exhaustive]`"),
        ("0.2.0", "chained setters"),
        ("0.3.0", "`Error`'s variants are `#[non_exhaustive]`"),
        ("0.4.0", "returns a `Pending` call"),
        ("0.4.0", "`MapIndex(2)`, `TaskTryNumber(1)`"),
        ("0.4.0", "with `.wait()` where async code writes `.await`"),
        ("0.4.0", "`field_null()` sends the `null`"),
    ] {
        let text = section(version)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(change), "{version} does not name: {change}");
    }
    for released in headings.iter().skip(1) {
        assert!(
            section(released).contains("Breaking:"),
            "{released} has no Breaking list"
        );
    }
}
