//! The generator's phases on the pinned spec, in this (release) process, one selection at a
//! time. Every iteration runs every phase once, in pipeline order, each on fresh inputs
//! prepared outside its timer (a clone of the previous phase's output where the phase
//! consumes or mutates it).
//!
//! Printing and rustfmt cache their answers by input (`generator/src/emit/print_cache.rs`,
//! `generator/src/format.rs`), and an unchanged tree is not rewritten, so emit, format, write
//! and the whole regen are timed both ways: with no cache (a first run, a new toolchain, or a
//! spec change that touches every file) and with warm ones (a re-run; a small spec change is
//! in between). The whole regen is timed in this process (what `cargo xtask regen` does after
//! start-up: read, generate, write) and as a fresh process of the xtask binary (`xtask regen`,
//! start-up included but not cargo's own, warm cache).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use airflow_codegen::{
    emit, format, generate, generate_cached, ir, load, output, Config, EmitConfig, Files,
    Selection, Templates,
};

use crate::fetch_spec::REST_FILE;
use crate::regen::{Job, DEFAULT_TAG};
use crate::root;

use super::stats::Stats;

/// Phase names in report order. `load` is the whole of loading; the three `load:` rows are its
/// steps in that same call, as `airflow_codegen::load::load_timed` reports them.
pub const PHASES: &[&str] = &[
    READ,
    PARSE,
    NORMALISE,
    MODEL,
    LOAD,
    IR,
    EMIT,
    EMIT_CACHED,
    FORMAT,
    FORMAT_CACHED,
    WRITE,
    WRITE_UNCHANGED,
    WHOLE,
    WHOLE_CACHED,
    EDITED,
    EDITED_CODE,
    PROCESS,
];
pub const READ: &str = "read spec + templates";
pub const PARSE: &str = "load: parse YAML";
pub const NORMALISE: &str = "load: normalise 3.1 → 3.0";
pub const MODEL: &str = "load: to openapiv3 model";
pub const LOAD: &str = "load (the three steps above)";
pub const IR: &str = "ir";
pub const EMIT: &str = "emit: tokens + prettyplease, no cache";
pub const EMIT_CACHED: &str = "emit: tokens, printed code cache warm";
pub const FORMAT: &str = "format: rustfmt, no cache";
pub const FORMAT_CACHED: &str = "format: rustfmt cache warm";
pub const WRITE: &str = "write: every file new";
pub const WRITE_UNCHANGED: &str = "write: tree unchanged";
pub const WHOLE: &str = "regen in process, no caches";
pub const WHOLE_CACHED: &str = "regen in process, caches warm";
pub const EDITED: &str = "regen in process, one operation's summary edited";
pub const EDITED_CODE: &str = "regen in process, one enum value added";
pub const PROCESS: &str = "regen as a fresh xtask process, cache warm";

/// The phases that make up a regen without caches, for the sum of medians.
pub const PIPELINE: &[&str] = &[READ, LOAD, IR, EMIT, FORMAT, WRITE];
/// The same with warm caches and an unchanged tree (a re-run).
pub const PIPELINE_CACHED: &[&str] = &[READ, LOAD, IR, EMIT_CACHED, FORMAT_CACHED, WRITE_UNCHANGED];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    TaskInstance,
    All,
}

impl Tags {
    pub fn label(self) -> &'static str {
        match self {
            Tags::TaskInstance => "Task Instance tag",
            Tags::All => "all tags",
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Tags::TaskInstance => "ti",
            Tags::All => "all",
        }
    }

    pub fn selection(self) -> Selection {
        match self {
            Tags::TaskInstance => Selection::Tags(vec![DEFAULT_TAG.into()]),
            Tags::All => Selection::All,
        }
    }
}

/// One selection's figures.
pub struct Report {
    pub tags: Tags,
    pub warmup: usize,
    pub iterations: usize,
    pub phases: Vec<(&'static str, Stats)>,
    pub files: usize,
    pub lines: usize,
    pub operations: usize,
    pub types: usize,
}

impl Report {
    pub fn stats(&self, phase: &str) -> Option<Stats> {
        self.phases
            .iter()
            .find(|(p, _)| *p == phase)
            .map(|(_, s)| *s)
    }

    /// The slowest step of `pipeline` and its share of the sum of its medians.
    pub fn dominant(&self, pipeline: &[&'static str]) -> Option<(&'static str, f64)> {
        let parts: Vec<(&'static str, Duration)> = pipeline
            .iter()
            .filter_map(|p| self.stats(p).map(|s| (*p, s.median)))
            .collect();
        let total: Duration = parts.iter().map(|(_, d)| *d).sum();
        let (name, top) = parts.into_iter().max_by_key(|(_, d)| *d)?;
        Some((name, top.as_secs_f64() / total.as_secs_f64()))
    }
}

/// `xtask` is the binary to start for the fresh-process measurement.
pub fn run(tags: Tags, warmup: usize, iterations: usize, xtask: &Path) -> Result<Report, String> {
    let spec = root().join("spec").join(REST_FILE);
    let base = root().join("target").join("bench").join("regen");
    let out = |what: &str| base.join(format!("{}-{what}", tags.dir()));
    // What `Job::run` does, so the uncached whole regen matches the cached one (`job`).
    let job = Job {
        spec: spec.clone(),
        out: out("in-process"),
        selection: tags.selection(),
        crate_name: "airflow-client".into(),
    };
    let config = Config {
        selection: tags.selection(),
        emit: EmitConfig {
            crate_name: "airflow-client".into(),
            crate_version: "0.1.0".into(),
            standalone: true,
            generated_by: format!("`cargo xtask regen` from spec/{REST_FILE}"),
        },
    };
    let places = Places {
        spec,
        phases: out("phases"),
        uncached: out("uncached"),
        process: out("process"),
        cache: base.join(format!("{}-cache", tags.dir())),
        edited_spec: base.join(format!("{}-edited-spec.yaml", tags.dir())),
        edited: out("edited"),
        code_edited_spec: base.join(format!("{}-code-edited-spec.yaml", tags.dir())),
        code_edited: out("code-edited"),
    };

    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); PHASES.len()];
    let mut last = None;
    for i in 0..warmup + iterations {
        let timed = once(&places, &config, &job, tags, xtask)?;
        if i >= warmup {
            for (k, d) in timed.durations.into_iter().enumerate() {
                samples[k].push(d);
            }
        }
        last = Some(timed.files);
    }
    let files = last.ok_or("no iterations were run")?;
    let generated = job.run()?;
    let phases = PHASES
        .iter()
        .zip(&samples)
        .filter_map(|(p, s)| Stats::of(s).map(|s| (*p, s)))
        .collect();
    Ok(Report {
        tags,
        warmup,
        iterations,
        phases,
        files: files.len(),
        lines: files.values().map(|t| t.lines().count()).sum(),
        operations: generated.api.apis.iter().map(|a| a.operations.len()).sum(),
        types: generated.api.types.len(),
    })
}

/// Where each measurement reads and writes.
struct Places {
    spec: PathBuf,
    /// The `write` phase's output.
    phases: PathBuf,
    /// The uncached whole regen's output.
    uncached: PathBuf,
    /// The fresh process's output.
    process: PathBuf,
    /// The caches of the `cache warm` phases (the first iteration fills them).
    cache: PathBuf,
    /// The spec with one summary edited, and that regen's output.
    edited_spec: PathBuf,
    edited: PathBuf,
    /// The spec with one enum value added, and that regen's output.
    code_edited_spec: PathBuf,
    code_edited: PathBuf,
}

/// The summary [`edit_spec`] edits: an operation of the Task Instance tag.
const EDITED_SUMMARY: &str = "      summary: Get Task Instance\n";

/// Where [`edit_spec`] adds an enum value: the first value of the task instance states.
const EDITED_ENUM: &str = "    TaskInstanceState:\n      type: string\n      enum:\n";

/// Writes the spec with one operation's summary changed to text no earlier run used. The
/// summary shows only in docs, which both caches mask: prose edits, the commonest kind.
fn edit_spec(spec: &Path, edited: &Path) -> Result<(), String> {
    edit(spec, edited, EDITED_SUMMARY, |stamp| {
        format!("      summary: Get Task Instance (edit {stamp})\n")
    })
}

/// Writes the spec with a new first value, which no earlier run saw, in the task instance
/// states: an edit that changes code (one model file), so its changed pieces are printed and
/// formatted anew.
fn edit_enum(spec: &Path, edited: &Path) -> Result<(), String> {
    edit(spec, edited, EDITED_ENUM, |stamp| {
        format!("{EDITED_ENUM}      - edit_{stamp}\n")
    })
}

/// Writes `spec` to `edited` with `line` replaced by `with(a stamp no earlier run used)`.
fn edit(
    spec: &Path,
    edited: &Path,
    line: &str,
    with: impl FnOnce(u128) -> String,
) -> Result<(), String> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    if !text.contains(line) {
        return Err(format!(
            "{} no longer has the lines a spec-edit benchmark changes: {line:?}",
            spec.display()
        ));
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let text = text.replacen(line, &with(stamp), 1);
    std::fs::write(edited, text).map_err(|e| format!("writing {}: {e}", edited.display()))
}

struct Once {
    /// In `PHASES` order.
    durations: Vec<Duration>,
    files: Files,
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

fn read(spec: &Path) -> Result<(String, Templates), String> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let templates = Templates::load(&root().join("templates")).map_err(|e| e.to_string())?;
    Ok((text, templates))
}

fn once(
    places: &Places,
    config: &Config,
    job: &Job,
    tags: Tags,
    xtask: &Path,
) -> Result<Once, String> {
    let e = |e: airflow_codegen::Error| e.to_string();
    let (read_result, read_time) = time(|| read(&places.spec));
    let (text, templates) = read_result?;

    let (loaded, load_time) = time(|| load::load_timed(&text));
    let (doc, steps) = loaded.map_err(e)?;
    let step = |name: &str| {
        steps
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                format!("airflow_codegen::load::load_timed no longer reports a `{name}` step")
            })
    };
    let (parse_time, normalise_time, model_time) =
        (step("parse")?, step("normalise")?, step("model")?);
    let (api, ir_time) = time(|| ir::build(&doc, &config.selection));
    let api = api.map_err(e)?;
    let (files, emit_time) = time(|| emit::emit(&api, &config.emit, &templates));
    let files = files.map_err(e)?;
    let printed = places.cache.join("printed");
    let (from_cache, emit_cached_time) =
        time(|| emit::emit_cached(&api, &config.emit, &templates, Some(&printed)));
    if from_cache.map_err(e)? != files {
        return Err("the printed code cache answered differently from printing".into());
    }
    let mut formatted = files.clone();
    let (fmt, format_time) = time(|| format::rustfmt(&mut formatted, None));
    fmt.map_err(e)?;
    let mut from_cache = files.clone();
    let rustfmt_cache = places.cache.join("rustfmt");
    let (fmt, format_cached_time) = time(|| format::rustfmt(&mut from_cache, Some(&rustfmt_cache)));
    fmt.map_err(e)?;
    if from_cache != formatted {
        return Err("rustfmt's cache answered differently from rustfmt itself".into());
    }
    remove(&places.phases)?;
    let (written, write_time) = time(|| output::write_tree(&places.phases, &formatted));
    written.map_err(|e| format!("writing {}: {e}", places.phases.display()))?;
    let (written, write_unchanged_time) = time(|| output::write_tree(&places.phases, &formatted));
    written.map_err(|e| format!("writing {}: {e}", places.phases.display()))?;

    // Without caches every file is new, so the tree is written whole.
    remove(&places.uncached)?;
    let (whole, whole_time) = time(|| -> Result<(), String> {
        let (text, templates) = read(&places.spec)?;
        let generated = generate(&text, config, &templates).map_err(e)?;
        output::write_tree(&places.uncached, &generated.files)
            .map_err(|e| format!("writing {}: {e}", places.uncached.display()))
    });
    whole?;
    let (whole, whole_cached_time) = time(|| -> Result<(), String> {
        let generated = job.run()?;
        output::write_tree(&job.out, &generated.files)
            .map_err(|e| format!("writing {}: {e}", job.out.display()))
    });
    whole?;
    // What `Job::run` does (this `config` is the one it builds for a folder outside the
    // workspace), from the edited spec, with the caches the phases above filled (so the
    // workspace's own cache does not collect an entry per edit).
    edit_spec(&places.spec, &places.edited_spec)?;
    let edited_time = regen_cached(places, config, &places.edited_spec, &places.edited)?;
    edit_enum(&places.spec, &places.code_edited_spec)?;
    let code_edited_time = regen_cached(
        places,
        config,
        &places.code_edited_spec,
        &places.code_edited,
    )?;
    let (process, process_time) = time(|| regen_process(xtask, &places.process, tags));
    process?;

    Ok(Once {
        durations: vec![
            read_time,
            parse_time,
            normalise_time,
            model_time,
            load_time,
            ir_time,
            emit_time,
            emit_cached_time,
            format_time,
            format_cached_time,
            write_time,
            write_unchanged_time,
            whole_time,
            whole_cached_time,
            edited_time,
            code_edited_time,
            process_time,
        ],
        files: formatted,
    })
}

/// How long a regen of `spec` into `out` takes with the bench's caches.
fn regen_cached(
    places: &Places,
    config: &Config,
    spec: &Path,
    out: &Path,
) -> Result<Duration, String> {
    let (whole, took) = time(|| -> Result<(), String> {
        let (text, templates) = read(spec)?;
        let generated = generate_cached(&text, config, &templates, Some(&places.cache))
            .map_err(|e| e.to_string())?;
        output::write_tree(out, &generated.files)
            .map_err(|e| format!("writing {}: {e}", out.display()))
    });
    whole?;
    Ok(took)
}

/// Removes an output folder between measurements (not timed).
fn remove(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("removing {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

fn regen_process(xtask: &Path, out: &Path, tags: Tags) -> Result<(), String> {
    let mut command = Command::new(xtask);
    command.arg("regen").arg("--out").arg(out);
    if tags == Tags::All {
        command.arg("--all-tags");
    }
    let output = command
        .output()
        .map_err(|e| format!("running {}: {e}", xtask.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{} regen --out {}` failed ({}): {}",
            xtask.display(),
            out.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Where the fresh-process measurement's binary is: this one, when it is the xtask binary.
pub fn xtask_binary() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))
}
