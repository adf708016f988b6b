//! The generator against `tests/corpus/`: malformed and awkward documents, each with the outcome
//! it must have (see `support/corpus.rs` for the manifest format). No case may panic or hang;
//! error cases must name their JSON pointer; ok cases must compile with `-D warnings`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use airflow_codegen::{Error, Generated, Selection};
use airflow_codegen_tests::corpus::{
    self, cargo, cases, config, crate_name, guarded, round_trip_tests, run_guarded, templates,
    Case, Outcome, Run,
};

/// Generous: every case takes well under a second; only a hang gets near this.
const WATCHDOG: Duration = Duration::from_secs(120);

fn run_case(case: &Case, standalone: bool) -> Run {
    let text = match std::fs::read(&case.document) {
        // Documents are read as bytes so a case can hold text that is not UTF-8.
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return Run::Panicked(format!("cannot read {}: {e}", case.document.display())),
    };
    run_guarded(
        text,
        config(case.selection.clone(), &crate_name(&case.name), standalone),
        templates(),
        WATCHDOG,
    )
}

fn operations(generated: &Generated) -> usize {
    generated.api.apis.iter().map(|a| a.operations.len()).sum()
}

/// What is wrong with a run, measured against the case's expectation.
fn verdict(case: &Case, run: &Run) -> Result<String, String> {
    let result = match run {
        Run::Returned(result) => result,
        Run::Panicked(message) => return Err(format!("PANICKED: {message}")),
        Run::Hung => return Err(format!("HUNG: no result within {} s", WATCHDOG.as_secs())),
    };
    match (&case.outcome, result) {
        (Outcome::Ok, Ok(generated)) => {
            let count = operations(generated);
            match case.operations {
                Some(want) if want != count => Err(format!(
                    "ok, but {count} operations where {want} were expected"
                )),
                _ => Ok(format!("ok ({count} operations)")),
            }
        }
        (Outcome::Ok, Err(e)) => Err(format!("expected ok, got error: {e}")),
        (Outcome::Error { .. }, Ok(generated)) => Err(format!(
            "expected an error, got a client with {} operations",
            operations(generated)
        )),
        (Outcome::Error { pointer, message }, Err(Error::Spec(e))) => {
            let mut wrong = Vec::new();
            if &e.pointer != pointer {
                wrong.push(format!("pointer `{}`, expected `{pointer}`", e.pointer));
            }
            if !e.message.contains(message.as_str()) {
                wrong.push(format!("message lacks `{message}`"));
            }
            if e.message.trim().is_empty() {
                wrong.push("empty message".into());
            }
            if wrong.is_empty() {
                Ok(format!("error: {e}"))
            } else {
                Err(format!("{} (got: {e})", wrong.join("; ")))
            }
        }
        (Outcome::Error { .. }, Err(other)) => {
            Err(format!("expected an error in the document, got: {other}"))
        }
    }
}

#[test]
fn every_case_has_the_expected_outcome() {
    let cases = cases().expect("the corpus manifest reads");
    assert!(
        cases.len() >= 30,
        "the corpus has {} cases; it should have at least 30",
        cases.len()
    );
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    for case in &cases {
        let started = Instant::now();
        let run = run_case(case, true);
        let elapsed = started.elapsed();
        if let Run::Returned(Ok(generated)) = &run {
            for path in &case.snapshots {
                let text = generated.files.get(path).cloned();
                snapshots.push((format!("{}__{path}", case.name), text));
            }
        }
        let line = match verdict(case, &run) {
            Ok(summary) => format!("pass  {:<36} {:>6.0} ms  {summary}", case.name, ms(elapsed)),
            Err(problem) => {
                failures.push(format!("{}: {problem}", case.name));
                format!("FAIL  {:<36} {:>6.0} ms  {problem}", case.name, ms(elapsed))
            }
        };
        let _ = writeln!(report, "{line}");
    }
    println!("{report}");
    println!(
        "corpus: {} cases, {} as expected, {} not",
        cases.len(),
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} corpus case(s) did not meet their expectation:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    // One golden file per construct: what each awkward case's model becomes.
    for (name, text) in snapshots {
        let text = text.unwrap_or_else(|| panic!("{name}: the client has no such file"));
        insta::assert_snapshot!(name.replace(['/', '.'], "_"), text);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Every `ok` case's client, as members of one throwaway workspace, built once with warnings
/// denied in a target folder of its own (so it never waits on the main target's lock).
#[test]
fn ok_cases_compile_without_warnings() {
    let cases = cases().expect("the corpus manifest reads");
    let base = xtask::root().join("target").join("corpus-build");
    let _ = std::fs::create_dir_all(&base);
    // Members from an earlier run with other cases would break the workspace.
    for entry in std::fs::read_dir(&base).expect("target/corpus-build is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
            std::fs::remove_dir_all(&path).expect("old member removed");
        }
    }
    let mut members = Vec::new();
    let mut round_trippers = Vec::new();
    let mut not_generated = Vec::new();
    for case in cases.iter().filter(|c| c.outcome == Outcome::Ok) {
        let files = match run_case(case, false) {
            Run::Returned(Ok(generated)) => generated.files,
            // The expectation test reports these; here they just cannot be compiled.
            _ => {
                not_generated.push(case.name.clone());
                continue;
            }
        };
        let dir = base.join(&case.name);
        let round_trip = round_trip_tests(case).map(|text| ("tests/round_trip.rs".into(), text));
        if round_trip.is_some() {
            round_trippers.push(crate_name(&case.name));
        }
        for (path, text) in files
            .iter()
            .map(|(p, t)| (p.clone(), t.clone()))
            .chain(round_trip)
        {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("files sit in folders")).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        members.push(case.name.clone());
    }
    assert!(
        members.len() >= 20,
        "only {} ok cases generated",
        members.len()
    );
    let manifest = format!(
        "# Written by tests/corpus.rs: every ok case of tests/corpus/ as one workspace.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n",
        members
            .iter()
            .map(|m| format!("  \"{m}\",\n"))
            .collect::<String>()
    );
    std::fs::write(base.join("Cargo.toml"), manifest).unwrap();
    // The main lock pins the emitted crates' dependencies: no fresh resolution, same versions.
    std::fs::copy(xtask::root().join("Cargo.lock"), base.join("Cargo.lock")).unwrap();
    let started = Instant::now();
    // clippy, as users run it on a crate they depend on; it checks the round-trip tests too.
    let result = cargo(
        &base,
        &base.join("target"),
        &[
            "clippy",
            "--quiet",
            "--keep-going",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    println!(
        "built {} ok-case crates in {:.0} s{}",
        members.len(),
        started.elapsed().as_secs_f64(),
        if not_generated.is_empty() {
            String::new()
        } else {
            format!(" (not generated, see the expectation test: {not_generated:?})")
        }
    );
    if let Err(stderr) = result {
        let log = base.join("build.log");
        let _ = std::fs::write(&log, &stderr);
        let by_case = diagnostics_by_case(&stderr);
        let failed: Vec<&String> = members
            .iter()
            .filter(|m| stderr.contains(&format!("could not compile `{}`", crate_name(m))))
            .collect();
        let mut summary = String::new();
        for (case, headlines) in &by_case {
            let _ = writeln!(summary, "  {case}:");
            for h in headlines {
                let _ = writeln!(summary, "    {h}");
            }
        }
        if by_case.is_empty() {
            summary = stderr.lines().rev().take(40).collect::<Vec<_>>().join("\n");
        }
        panic!(
            "{} ok case(s) whose client does not compile with -D warnings: {failed:?}\n{summary}(full output: {})",
            failed.len(),
            log.display()
        );
    }
    let mut args = vec!["test", "--quiet", "--test", "round_trip"];
    for member in &round_trippers {
        args.extend(["-p", member.as_str()]);
    }
    if let Err(stderr) = cargo(&base, &base.join("target"), &args) {
        panic!(
            "round trips failed (`cargo test --test round_trip` in {} shows each):\n{stderr}",
            base.display()
        );
    }
    // The examples in the docs are what users copy first: each must compile.
    let doc = ["test", "--quiet", "--doc", "--workspace", "--no-fail-fast"];
    if let Err(stderr) = cargo(&base, &base.join("target"), &doc) {
        panic!(
            "doc examples failed (`cargo test --doc --workspace` in {} shows each):\n{stderr}",
            base.display()
        );
    }
}

/// The distinct diagnostic headlines of a cargo run, by the member folder they point into.
fn diagnostics_by_case(stderr: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut by_case: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut headline: Option<&str> = None;
    for line in stderr.lines() {
        if (line.starts_with("error") || line.starts_with("warning"))
            && !line.starts_with("error: could not compile")
        {
            headline = Some(line);
        } else if let (Some(h), Some(at)) = (headline, line.trim_start().strip_prefix("--> ")) {
            let case = at.split('/').next().unwrap_or(at).to_string();
            let entry = by_case.entry(case).or_default();
            if !entry.iter().any(|e| e == h) {
                entry.push(h.to_string());
            }
            headline = None;
        }
    }
    by_case
}

/// A 50 MB document made here (not committed): most of it component schemas no operation uses,
/// plus many operations that do. It must finish or fail cleanly; no timing is asserted.
#[test]
fn a_50_mb_document_returns() {
    const OPERATIONS: usize = 400;
    let mut text = String::with_capacity(52 << 20);
    text.push_str(r#"{"openapi":"3.1.0","info":{"title":"Huge","version":"1"},"paths":{"#);
    for i in 0..OPERATIONS {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            r##"{q}/things{i}/{{id}}{q}:{{"get":{{"operationId":"getThing{i}","tags":["T{t}"],"parameters":[{{"name":"id","in":"path","required":true,"schema":{{"type":"string"}}}},{{"name":"limit","in":"query","schema":{{"type":"integer"}}}}],"responses":{{"200":{{"description":"ok","content":{{"application/json":{{"schema":{{"$ref":"#/components/schemas/Used{i}"}}}}}}}}}}}}}}"##,
            q = '"',
            t = i % 7,
        );
    }
    text.push_str(r#"},"components":{"schemas":{"#);
    for i in 0..OPERATIONS {
        let _ = write!(
            text,
            r##""Used{i}":{{"type":"object","required":["id"],"properties":{{"id":{{"type":"string"}},"next":{{"$ref":"#/components/schemas/Used{n}"}},"tags":{{"type":"array","items":{{"type":"string","enum":["a","b","c"]}}}}}}}},"##,
            n = (i + 1) % OPERATIONS,
        );
    }
    let filler = "lorem ipsum dolor sit amet ".repeat(40);
    let mut i = 0;
    while text.len() < 50 << 20 {
        let _ = write!(
            text,
            r#""Unused{i}":{{"type":"object","description":"{filler}","properties":{{"a":{{"type":"string"}},"b":{{"type":"integer"}}}}}},"#
        );
        i += 1;
    }
    text.pop();
    text.push_str("}}}");
    let size = text.len();
    assert!(size >= 50 << 20);

    let started = Instant::now();
    let run = run_guarded(
        text,
        config(Selection::All, "corpus-huge", true),
        templates(),
        WATCHDOG,
    );
    let elapsed = started.elapsed();
    println!(
        "{:.1} MB document: {} in {:.1} s",
        size as f64 / (1 << 20) as f64,
        match &run {
            Run::Returned(Ok(g)) => format!("ok, {} operations", operations(g)),
            Run::Returned(Err(e)) => format!("error: {e}"),
            Run::Panicked(p) => format!("panic: {p}"),
            Run::Hung => "hung".into(),
        },
        elapsed.as_secs_f64()
    );
    match run {
        Run::Returned(Ok(generated)) => assert_eq!(operations(&generated), OPERATIONS),
        Run::Returned(Err(Error::Spec(e))) => {
            assert!(!e.message.trim().is_empty(), "an error without a message");
            assert!(e.pointer.is_empty() || e.pointer.starts_with('/'));
        }
        Run::Returned(Err(other)) => panic!("the 50 MB document: {other}"),
        Run::Panicked(p) => panic!("the 50 MB document panicked the generator: {p}"),
        Run::Hung => panic!(
            "the 50 MB document did not return within {} s",
            WATCHDOG.as_secs()
        ),
    }
}

/// Two generations of the pinned spec with every tag are byte-identical (the Task Instance
/// tag's twin lives in generate.rs): no output may depend on hash order.
#[test]
fn all_tags_generation_is_deterministic() {
    let text = std::fs::read_to_string(xtask::root().join("spec/v2-rest-api-generated.yaml"))
        .expect("the pinned spec reads");
    let generate = |text: String| {
        guarded(WATCHDOG, move || {
            airflow_codegen::generate(
                &text,
                &config(Selection::All, "airflow-client-all", true),
                &corpus::templates(),
            )
        })
        .expect("generation returns")
        .expect("the pinned spec generates with every tag")
    };
    let first = generate(text.clone());
    let second = generate(text);
    assert!(
        operations(&first) >= 128,
        "every tag of the pinned spec has at least 128 operations"
    );
    let differing: Vec<&String> = first
        .files
        .keys()
        .chain(second.files.keys())
        .filter(|k| first.files.get(*k) != second.files.get(*k))
        .collect();
    assert!(
        differing.is_empty(),
        "two generations differ in {differing:?}"
    );
    assert_eq!(first.files, second.files);
}
