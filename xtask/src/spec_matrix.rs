//! `cargo xtask spec-matrix`: the generator against every Airflow v2 REST document released in
//! `apache-airflow-core` 3.0.0 through 3.3.2. Each release is generated twice (the "Task
//! Instance" tag and every tag) into standalone crates under `target/spec-matrix/`, and those
//! crates are built with `-D warnings` in one shared target folder, so dependencies compile once
//! (the newest all-tags crate of each series with `--all-targets`, so the examples compile too);
//! clippy runs on the newest all-tags crate. A cold run takes about ten minutes on two cores.
//!
//! Layout: `target/spec-matrix/<version>/` holds the wheel and the extracted document,
//! `<version>/ti/` and `<version>/all/` the emitted crates, `target/` the shared build output.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use airflow_codegen::{output, Selection};

use crate::cargo::cargo_strict;
use crate::job::{Job, DEFAULT_TAG};
use crate::releases::{base, document, newest_of_series, Release, RELEASES};
use crate::signatures::{unclear, MAX_POSITIONAL};
use crate::{root, Args};

/// The two generations of each release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSet {
    TaskInstance,
    All,
}

impl TagSet {
    pub fn dir(self) -> &'static str {
        match self {
            TagSet::TaskInstance => "ti",
            TagSet::All => "all",
        }
    }

    fn selection(self) -> Selection {
        match self {
            TagSet::TaskInstance => Selection::Tags(vec![DEFAULT_TAG.into()]),
            TagSet::All => Selection::All,
        }
    }

    fn expected(self, release: &Release) -> usize {
        match self {
            TagSet::TaskInstance => release.ti_operations,
            TagSet::All => release.all_operations,
        }
    }
}

/// What happened to one emitted crate.
struct Row {
    version: &'static str,
    set: TagSet,
    operations: usize,
    types: usize,
    generate: Duration,
    /// `None` until built (or when not built); the message of the first failure otherwise.
    build: Option<Result<Duration, String>>,
    problems: Vec<String>,
}

impl Row {
    fn ok(&self) -> bool {
        self.problems.is_empty() && !matches!(self.build, Some(Err(_)))
    }
}

pub fn run(rest: &[String]) -> Result<(), String> {
    let args = Args::new(rest);
    args.only(&["--version"], &["--skip-ti-build", "--no-build"])?;
    let wanted = args.values("--version")?;
    for v in &wanted {
        if !RELEASES.iter().any(|r| r.version == *v) {
            let known: Vec<&str> = RELEASES.iter().map(|r| r.version).collect();
            return Err(format!(
                "`{v}` is not in the matrix; choose among {}",
                known.join(", ")
            ));
        }
    }
    let releases: Vec<&Release> = RELEASES
        .iter()
        .filter(|r| wanted.is_empty() || wanted.contains(&r.version))
        .collect();
    let build_ti = !args.switch("--skip-ti-build");
    let build = !args.switch("--no-build");
    let started = Instant::now();

    let base = base();
    fs::create_dir_all(&base).map_err(|e| format!("creating {}: {e}", base.display()))?;
    let mut rows = Vec::new();
    let fetch_started = Instant::now();
    let mut specs = Vec::new();
    for release in &releases {
        specs.push(document(release.version, &base)?);
    }
    let fetching = fetch_started.elapsed();

    let generate_started = Instant::now();
    for (release, spec) in releases.iter().zip(&specs) {
        for set in [TagSet::TaskInstance, TagSet::All] {
            rows.push(generate_one(release, set, spec, &base));
        }
    }
    let generating = generate_started.elapsed();

    let build_started = Instant::now();
    let target = base.join("target");
    if build {
        for row in rows.iter_mut() {
            if !row.problems.is_empty() || (row.set == TagSet::TaskInstance && !build_ti) {
                continue;
            }
            let dir = crate_dir(&base, row.version, row.set);
            let built = Instant::now();
            println!("building {} {} ...", row.version, row.set.dir());
            // The all-tags crate of the newest release of each series builds its examples and
            // tests too (they call Task Instance operations by name); every example binary
            // links the whole stack, so doing it for all twenty releases would add ~9 minutes.
            let args: &[&str] = if row.set == TagSet::All && newest_of_series(row.version) {
                &["build", "--quiet", "--all-targets"]
            } else {
                &["build", "--quiet"]
            };
            let result = cargo_in(&dir, &target, args, &log_path(&base, row));
            // Said at once, so a log cut short still shows why the first build failed.
            if let Err(e) = &result {
                println!("{} {}: {e}", row.version, row.set.dir());
            }
            row.build = Some(result.map(|()| built.elapsed()));
        }
    }
    let building = build_started.elapsed();

    // Clippy on the all-tags crate of the newest release in the run.
    let clippy_started = Instant::now();
    let mut clippy = None;
    if build {
        if let Some(newest) = rows
            .iter()
            .rev()
            .find(|r| r.set == TagSet::All && r.problems.is_empty())
        {
            let dir = crate_dir(&base, newest.version, TagSet::All);
            println!("clippy {} all ...", newest.version);
            clippy = Some((
                newest.version,
                cargo_in(
                    &dir,
                    &target,
                    &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
                    &base.join(newest.version).join("clippy.log"),
                ),
            ));
        }
    }
    let clipping = clippy_started.elapsed();

    print!("{}", table(&rows));
    let mut failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.ok())
        .map(|r| format!("{} {}", r.version, r.set.dir()))
        .collect();
    match &clippy {
        Some((version, Ok(()))) => println!("clippy -D warnings on {version} all: ok"),
        Some((version, Err(e))) => {
            println!("clippy -D warnings on {version} all: FAILED\n{e}");
            failed.push(format!("{version} all (clippy)"));
        }
        None => {}
    }
    if !build_ti && build {
        println!(
            "Task Instance crates were generated but not built (--skip-ti-build; their operations are all in the all-tags crates)"
        );
    }
    println!(
        "wall time {:.0} s: fetch {:.0} s, generate {:.0} s, build {:.0} s, clippy {:.0} s",
        started.elapsed().as_secs_f64(),
        fetching.as_secs_f64(),
        generating.as_secs_f64(),
        building.as_secs_f64(),
        clipping.as_secs_f64(),
    );
    let passed = rows.iter().filter(|r| r.ok()).count();
    println!("{passed} passed, {} failed", rows.len() - passed);
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("spec-matrix failed for: {}", failed.join(", ")))
    }
}

fn log_path(base: &Path, row: &Row) -> PathBuf {
    base.join(row.version)
        .join(format!("{}-build.log", row.set.dir()))
}

fn crate_dir(base: &Path, version: &str, set: TagSet) -> PathBuf {
    base.join(version).join(set.dir())
}

fn generate_one(release: &Release, set: TagSet, spec: &Path, base: &Path) -> Row {
    let out = crate_dir(base, release.version, set);
    let job = Job {
        spec: spec.to_path_buf(),
        out: out.clone(),
        selection: set.selection(),
        crate_name: format!(
            "airflow-client-{}-{}",
            release.version.replace('.', "-"),
            set.dir()
        ),
        // Every release's client supports the releases from the first on, as the pinned one does.
        ..Job::default_job()
    };
    let started = Instant::now();
    let mut row = Row {
        version: release.version,
        set,
        operations: 0,
        types: 0,
        generate: Duration::ZERO,
        build: None,
        problems: Vec::new(),
    };
    let generated = match job.run() {
        Ok(g) => g,
        Err(e) => {
            row.problems.push(format!("generate: {e}"));
            return row;
        }
    };
    row.generate = started.elapsed();
    row.operations = generated.api.apis.iter().map(|a| a.operations.len()).sum();
    row.types = generated.api.types.len();
    let expected = set.expected(release);
    if row.operations != expected {
        row.problems.push(format!(
            "{} operations, expected {expected}",
            row.operations
        ));
    }
    let long = unclear(
        generated
            .files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    );
    if !long.is_empty() {
        row.problems.push(format!(
            "more than {} positional parameters, or two integers of one type: {}",
            MAX_POSITIONAL,
            long.join(", ")
        ));
    }
    if let Err(e) = output::write_tree(&out, &generated.files) {
        row.problems.push(format!("writing {}: {e}", out.display()));
        return row;
    }
    // The workspace's lock file pins the dependencies every emitted crate shares, so the
    // matrix builds what CI builds and needs no fresh resolution.
    if let Err(e) = fs::copy(root().join("Cargo.lock"), out.join("Cargo.lock")) {
        row.problems.push(format!("copying Cargo.lock: {e}"));
    }
    row
}

/// Runs cargo in a standalone crate with the shared target folder and warnings denied. On
/// failure the whole output goes to `log` and the error lists its distinct error lines.
fn cargo_in(dir: &Path, target: &Path, args: &[&str], log: &Path) -> Result<(), String> {
    let Err(stderr) = cargo_strict(dir, target, args) else {
        let _ = fs::remove_file(log);
        return Ok(());
    };
    let _ = fs::write(log, stderr.as_bytes());
    let mut headlines: Vec<&str> = Vec::new();
    for line in stderr.lines().filter(|l| l.starts_with("error")) {
        if !headlines.contains(&line) {
            headlines.push(line);
        }
    }
    let shown = headlines.len().min(12);
    Err(format!(
        "`cargo {}` in {} failed; full output in {}\n    {}{}",
        args.join(" "),
        dir.display(),
        log.display(),
        headlines[..shown].join("\n    "),
        if headlines.len() > shown {
            format!("\n    ... and {} more", headlines.len() - shown)
        } else {
            String::new()
        }
    ))
}

fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<8} {:<4} {:>10} {:>6} {:>11} {:>9}  result",
        "version", "tags", "operations", "types", "generate ms", "build s"
    );
    for row in rows {
        let build = match &row.build {
            Some(Ok(d)) => format!("{:.0}", d.as_secs_f64()),
            Some(Err(_)) => "failed".into(),
            None => "-".into(),
        };
        let result = if !row.problems.is_empty() {
            format!("FAILED: {}", row.problems.join("; "))
        } else {
            match &row.build {
                Some(Err(_)) => "FAILED to build (above)".into(),
                Some(Ok(_)) => "ok (built, -D warnings)".into(),
                None => "ok (generated)".into(),
            }
        };
        let _ = writeln!(
            out,
            "{:<8} {:<4} {:>10} {:>6} {:>11.0} {:>9}  {result}",
            row.version,
            row.set.dir(),
            row.operations,
            row.types,
            row.generate.as_secs_f64() * 1e3,
            build
        );
    }
    out
}
