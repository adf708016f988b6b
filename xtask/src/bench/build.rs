//! Crate-only builds of the emitted crates (debug profile, dependencies already built): the
//! wall time of one `cargo build` command, repeated, for
//!
//! - cold: after `cargo clean -p <crate>` (only that package's artifacts and incremental
//!   cache go; dependencies stay built),
//! - one file touched: `src/models/task_instance_response.rs` gets a new mtime,
//! - no-op: nothing changed, which is cargo's own floor for any build,
//! - cold `cargo check`: the front end alone, to split a cold build into analysis and code
//!   generation,
//!
//! and, with `--instructions`, the instructions rustc executes in one more cold build
//! (`Target::instructions`), a count that the machine's load does not move.
//!
//! The Task Instance crate is `generated/`, built in the workspace. The all-tags crate is
//! regenerated into `target/bench/all-tags/` (a standalone crate named `airflow-client-all`)
//! and built with the workspace's target folder and the workspace's `profile.dev` (debug = 0),
//! so it reuses the same dependency builds. A sample that had to wait for another cargo's
//! lock on the target folder, or where cargo did not do what is measured, is retaken.
//!
//! [`caller`] times a program built against a crate the same way: cold (the crate and the
//! program) and the program alone with its `main.rs` touched.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use airflow_codegen::{output, Selection};

use crate::job::Job;
use crate::root;
use crate::spec::REST_FILE;

use super::stats::Stats;

pub const TOUCHED: &str = "src/models/task_instance_response.rs";
const ALL_TAGS_CRATE: &str = "airflow-client-all";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cold,
    Touch,
    NoOp,
    /// `cargo check` after `cargo clean -p`: the front end only (parsing, macro expansion,
    /// type checking), which splits a cold build into analysis and code generation.
    CheckCold,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Cold => "cold (after `cargo clean -p`)",
            Kind::Touch => "one file touched",
            Kind::NoOp => "no-op (nothing changed)",
            Kind::CheckCold => "cold `cargo check`",
        }
    }
}

pub struct Row {
    pub kind: Kind,
    pub stats: Stats,
    /// Samples that still waited for another cargo's lock after three tries.
    pub contended: usize,
}

pub struct Report {
    pub crate_label: String,
    /// Whether BENCHMARKS.md judges this crate against the build targets (`generated/` only).
    pub has_target: bool,
    /// A program calling the crate (see [`caller`]), rather than the crate alone.
    pub caller: bool,
    pub dir: PathBuf,
    pub rust_lines: usize,
    pub rows: Vec<Row>,
    /// Instructions rustc executed in one cold build of the crate's library (`--instructions`).
    pub instructions: Option<u64>,
}

impl Report {
    pub fn stats(&self, kind: Kind) -> Option<Stats> {
        self.rows.iter().find(|r| r.kind == kind).map(|r| r.stats)
    }
}

/// How one crate is built: where, with which extra cargo arguments and environment.
struct Target {
    /// Where cargo runs.
    dir: PathBuf,
    /// The crate's own folder.
    crate_dir: PathBuf,
    package: &'static str,
    /// The packages a cold build starts without: the crate, and for a caller also its library.
    clean: Vec<&'static str>,
    /// The file a one-file build touches.
    touched: PathBuf,
    /// Arguments every cargo command gets (`-p ...` or `--config ...`).
    args: Vec<String>,
    env: Vec<(&'static str, PathBuf)>,
}

impl Target {
    fn cargo(&self, subcommand: &str) -> Command {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .arg(subcommand)
            .args(&self.args)
            .current_dir(&self.dir)
            .env_remove("RUSTC_WRAPPER");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// One timed cargo command: how long it took, and its stderr.
    fn timed(&self, subcommand: &str) -> Result<(Duration, String), String> {
        let mut command = self.cargo(subcommand);
        let started = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("running cargo {subcommand}: {e}"))?;
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "`cargo {subcommand}` of {} in {} failed ({}):\n{}",
                self.package,
                self.dir.display(),
                output.status,
                tail.join("\n")
            ));
        }
        Ok((took, stderr))
    }

    /// One sample of `kind`; `true` when it still waited for another cargo's lock after
    /// three retakes. A sample is also retaken when cargo did not do what it measures (the
    /// crate compiled on a no-op, or not compiled after a touch or clean: another build in
    /// the same target folder got there in between), and given up on after four tries.
    fn sample(&self, kind: Kind) -> Result<(Duration, bool), String> {
        let subcommand = if kind == Kind::CheckCold {
            "check"
        } else {
            "build"
        };
        let mut last = None;
        for _ in 0..4 {
            match kind {
                Kind::NoOp => {}
                Kind::Touch => self.touch()?,
                Kind::Cold | Kind::CheckCold => self.clean()?,
            }
            let (took, stderr) = self.timed(subcommand)?;
            let compiled = stderr.contains(&format!("Compiling {} v", self.package))
                || stderr.contains(&format!("Checking {} v", self.package));
            let valid = compiled != (kind == Kind::NoOp);
            let waited = stderr.contains("Blocking waiting for file lock");
            if valid && !waited {
                return Ok((took, false));
            }
            if valid {
                last = Some(took);
            }
        }
        match last {
            Some(took) => Ok((took, true)),
            None => Err(format!(
                "{}: in four tries cargo never {} {} (is another build using the same target folder?)",
                kind.label(),
                if kind == Kind::NoOp { "skipped" } else { "compiled" },
                self.package
            )),
        }
    }

    fn clean(&self) -> Result<(), String> {
        let mut clean = self.cargo("clean");
        for package in &self.clean {
            clean.args(["-p", package]);
        }
        let output = clean
            .output()
            .map_err(|e| format!("running cargo clean: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`cargo clean -p {}` failed: {}",
                self.clean.join(" -p "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// What rustc executed to compile the crate's library cold, counted by valgrind's
    /// callgrind. Unlike wall time it does not move with the machine's load or clock, so one
    /// build of each of two crates compares them (a build takes about 30 times as long).
    fn instructions(&self) -> Result<u64, String> {
        let bench = root().join("target").join("bench");
        let wrapper = bench.join("count-instructions.sh");
        let log = bench.join(format!("{}.callgrind.log", self.package));
        fs::create_dir_all(&bench).map_err(|e| format!("creating {}: {e}", bench.display()))?;
        fs::write(&wrapper, COUNTING_WRAPPER)
            .and_then(|()| fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)))
            .map_err(|e| format!("writing {}: {e}", wrapper.display()))?;
        let _ = fs::remove_file(&log);
        self.clean()?;
        let output = self
            .cargo("build")
            .env("RUSTC_WRAPPER", &wrapper)
            .env("COUNTED_CRATE", self.package.replace('-', "_"))
            .env("COUNT_LOG", &log)
            .output()
            .map_err(|e| format!("running cargo build under callgrind: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "`cargo build` under callgrind failed:\n{}",
                stderr.trim()
            ));
        }
        let text = fs::read_to_string(&log)
            .map_err(|e| format!("{}: {e} (is valgrind installed?)", log.display()))?;
        collected(&text).ok_or_else(|| format!("{}: no `Collected :` line", log.display()))
    }

    fn touch(&self) -> Result<(), String> {
        let path = &self.touched;
        fs::File::options()
            .append(true)
            .open(path)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .map_err(|e| format!("touching {}: {e}", path.display()))
    }
}

/// `RUSTC_WRAPPER` for [`Target::instructions`]: rustc under callgrind when it compiles the
/// counted crate's library, plain rustc for everything else.
const COUNTING_WRAPPER: &str = r#"#!/bin/bash
rustc="$1"; shift
if [[ " $* " == *" --crate-name $COUNTED_CRATE "* && " $* " == *" --crate-type lib "* ]]; then
  exec valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$COUNT_LOG" "$rustc" "$@"
fi
exec "$rustc" "$@"
"#;

/// The total of callgrind's `==pid== Collected : N` line.
fn collected(log: &str) -> Option<u64> {
    let line = log.lines().find(|l| l.contains("Collected :"))?;
    line.split_whitespace().last()?.parse().ok()
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The Task Instance crate, `generated/`, in the workspace.
pub fn task_instance(repeat: usize, count: bool) -> Result<Report, String> {
    let target = Target {
        dir: root(),
        crate_dir: root().join("generated"),
        package: "airflow-client",
        clean: vec!["airflow-client"],
        touched: root().join("generated").join(TOUCHED),
        args: vec!["-p".into(), "airflow-client".into()],
        env: Vec::new(),
    };
    measure(
        "Task Instance tag (`generated/`)".into(),
        true,
        &target,
        repeat,
        count,
    )
}

/// `generated/` as it was at commit `rev`, built on its own in `target/bench/baseline/`, to
/// compare a change to the emitted code with what came before it in one run.
pub fn baseline(rev: &str, repeat: usize, count: bool) -> Result<Report, String> {
    const PACKAGE: &str = "airflow-client-baseline";
    let dir = root().join("target").join("bench").join("baseline");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let archive = Command::new("git")
        .args(["archive", rev, "generated"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("running git archive: {e}"))?;
    if !archive.status.success() {
        return Err(format!(
            "`git archive {rev} generated` failed: {}",
            String::from_utf8_lossy(&archive.stderr).trim()
        ));
    }
    let mut untar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(&dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("running tar: {e}"))?;
    if let Some(mut stdin) = untar.stdin.take() {
        std::io::Write::write_all(&mut stdin, &archive.stdout)
            .map_err(|e| format!("unpacking {rev}: {e}"))?;
    }
    untar.wait().map_err(|e| format!("unpacking {rev}: {e}"))?;
    let crate_dir = dir.join("generated");
    // A crate of its own, under a name of its own, beside the workspace's.
    let manifest = crate_dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let text = text.replacen(
        "name = \"airflow-client\"",
        &format!("name = \"{PACKAGE}\""),
        1,
    );
    fs::write(&manifest, format!("{text}\n[workspace]\n"))
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    fs::copy(root().join("Cargo.lock"), crate_dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    let target = Target {
        dir: crate_dir.clone(),
        touched: crate_dir.join(TOUCHED),
        crate_dir,
        package: PACKAGE,
        clean: vec![PACKAGE],
        args: vec!["--config".into(), "profile.dev.debug=0".into()],
        env: vec![("CARGO_TARGET_DIR", target_dir())],
    };
    measure(
        format!("Task Instance tag at `{rev}` (`generated/` then)"),
        false,
        &target,
        repeat,
        count,
    )
}

/// The all-tags crate, regenerated into `target/bench/all-tags/`.
pub fn all_tags(repeat: usize) -> Result<Report, String> {
    let dir = root().join("target").join("bench").join("all-tags");
    let job = Job {
        spec: root().join("spec").join(REST_FILE),
        out: dir.clone(),
        selection: Selection::All,
        crate_name: ALL_TAGS_CRATE.into(),
        ..Job::default_job()
    };
    let generated = job.run()?;
    output::write_tree(&dir, &generated.files)
        .map_err(|e| format!("writing {}: {e}", dir.display()))?;
    // The workspace's lock pins the same dependency versions, so their builds are reused.
    fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock into {}: {e}", dir.display()))?;
    let target = Target {
        dir: dir.clone(),
        crate_dir: dir.clone(),
        package: ALL_TAGS_CRATE,
        clean: vec![ALL_TAGS_CRATE],
        touched: dir.join(TOUCHED),
        args: vec!["--config".into(), "profile.dev.debug=0".into()],
        env: vec![("CARGO_TARGET_DIR", target_dir())],
    };
    measure(
        "all tags (`target/bench/all-tags/`)".into(),
        false,
        &target,
        repeat,
        false,
    )
}

/// The program of [`caller`](super::caller) for the crate in `library_dir` (package
/// `library`), written into `target/bench/<package>/` and built with the workspace's target
/// folder: cold (the crate and the program, after `cargo clean -p` of both), and the program
/// alone after its `main.rs` is touched.
pub fn caller(
    label: String,
    package: &'static str,
    library: &'static str,
    library_dir: &Path,
    repeat: usize,
) -> Result<Report, String> {
    let dir = root().join("target").join("bench").join(package);
    let _ = fs::remove_dir_all(&dir);
    let examples = super::caller::write(&dir, package, library, library_dir)?;
    fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock into {}: {e}", dir.display()))?;
    let target = Target {
        dir: dir.clone(),
        crate_dir: dir.clone(),
        package,
        clean: vec![package, library],
        touched: dir.join("src").join("main.rs"),
        args: vec!["--config".into(), "profile.dev.debug=0".into()],
        env: vec![("CARGO_TARGET_DIR", target_dir())],
    };
    let label = format!("a program calling the {examples} operation examples of {label}");
    let report = measure_kinds(label, false, &target, repeat, &[Kind::Touch, Kind::Cold])?;
    Ok(Report {
        caller: true,
        ..report
    })
}

fn measure(
    crate_label: String,
    has_target: bool,
    target: &Target,
    repeat: usize,
    count: bool,
) -> Result<Report, String> {
    let kinds = [Kind::NoOp, Kind::Touch, Kind::Cold, Kind::CheckCold];
    let report = measure_kinds(crate_label, has_target, target, repeat, &kinds)?;
    if !count {
        return Ok(report);
    }
    let instructions = target.instructions()?;
    let g = instructions as f64 / 1e9;
    println!(
        "  {}: cold, rustc instructions: {g:.3} G",
        report.crate_label
    );
    Ok(Report {
        instructions: Some(instructions),
        ..report
    })
}

fn measure_kinds(
    crate_label: String,
    has_target: bool,
    target: &Target,
    repeat: usize,
    kinds: &[Kind],
) -> Result<Report, String> {
    println!("  {crate_label}: preparing (builds dependencies if needed, not timed)");
    target.timed("check")?;
    target.timed("build")?;
    let mut rows = Vec::new();
    for &kind in kinds {
        let mut samples = Vec::new();
        let mut contended = 0;
        for _ in 0..repeat {
            let (took, waited) = target.sample(kind)?;
            samples.push(took);
            contended += usize::from(waited);
        }
        let stats = Stats::of(&samples).ok_or("no build samples")?;
        println!(
            "  {crate_label}: {}: median {:.2} s",
            kind.label(),
            stats.median.as_secs_f64()
        );
        rows.push(Row {
            kind,
            stats,
            contended,
        });
    }
    Ok(Report {
        crate_label,
        has_target,
        caller: false,
        dir: target.crate_dir.clone(),
        rust_lines: rust_lines(&target.crate_dir.join("src"))?,
        rows,
        instructions: None,
    })
}

/// Lines in the `.rs` files below `dir`.
fn rust_lines(dir: &Path) -> Result<usize, String> {
    let mut total = 0;
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            total += rust_lines(&path)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            total += text.lines().count();
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::collected;

    #[test]
    fn callgrind_total_is_read_from_its_log() {
        let log = "==4711== Callgrind, a call-graph generating cache profiler\n\
                   ==4711== Events    : Ir\n\
                   ==4711== Collected : 9604145372\n\
                   ==4711== I   refs:      9,604,145,372\n";
        assert_eq!(collected(log), Some(9_604_145_372));
        assert_eq!(collected("==1== Callgrind\n"), None);
    }
}
