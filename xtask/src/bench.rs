//! `cargo xtask bench`: measures the generator, the emitted crates' builds, decoding a page
//! of task instances and the client's per-request overhead, and writes BENCHMARKS.md.
//!
//! Measurements only: nothing here passes or fails on a timing. The method is plain: warm up,
//! run N iterations, report median, min and p90 (builds: median of three, min and max).
//! Where two things are compared (decoders, clients) they run in the same process, interleaved,
//! so a busy machine slows both alike.
//!
//! - [`generator`]: a whole `xtask regen` process (Task Instance tag, all tags).
//! - [`build`]: crate-only `cargo build` of the emitted crates: cold, one file touched, no-op.
//! - [`caller`]: a program made of every operation example, built against the crate: what a
//!   user's crate costs.
//! - [`client`]: decode and request overhead, run by the `airflow-bench` binary (tests/bench).
//! - [`results`]: what one run measured, with the plan it followed and the machine it ran on.
//! - [`report`]: the markdown.

pub mod build;
pub mod caller;
pub mod client;
pub mod generator;
pub mod report;
pub mod results;
pub mod stats;

use std::path::PathBuf;

use crate::{root, Args};
use results::{load_average, Machine, Plan, Results};

/// The benchmarks `--only` can pick.
pub const BENCHMARKS: &[&str] = &["generator", "build", "decode", "request"];

pub fn run(rest: &[String]) -> Result<(), String> {
    let args = Args::new(rest);
    args.only(
        &["--only", "--out", "--baseline"],
        &["--quick", "--instructions"],
    )?;
    let quick = args.switch("--quick");
    // One more cold build of the crate (and the baseline) under callgrind: slow, but a count
    // that a busy machine does not move.
    let count = args.switch("--instructions");
    let only = args.values("--only")?;
    let mut selected: Vec<&str> = Vec::new();
    for item in only.iter().flat_map(|o| o.split(',')) {
        if !BENCHMARKS.contains(&item) {
            return Err(format!(
                "`--only {item}`: choose among {}",
                BENCHMARKS.join(", ")
            ));
        }
        selected.push(item);
    }
    let partial = !selected.is_empty();
    let wants = |name: &str| selected.is_empty() || selected.contains(&name);
    // A smoke run or a partial one never replaces the committed report unless asked to.
    let out: PathBuf = match args.value("--out")? {
        Some(path) => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| PathBuf::from(path)),
        None if quick || partial => root().join("target").join("bench").join("BENCHMARKS.md"),
        None => root().join("BENCHMARKS.md"),
    };

    let plan = Plan::new(quick);
    let mut results = Results {
        machine: Machine::probe(),
        plan,
        generator: Vec::new(),
        builds: Vec::new(),
        client: client::Results::default(),
    };
    println!(
        "bench ({}) on {} CPUs, load average {}",
        if quick { "quick" } else { "full" },
        results.machine.nproc,
        results.machine.load_start
    );

    // Built first, so its compilation never overlaps a measurement.
    let client_binary = if wants("decode") || wants("request") {
        println!("building airflow-bench (release, not timed) ...");
        Some(client::build()?)
    } else {
        None
    };

    if wants("generator") {
        let xtask = generator::xtask_binary()?;
        for (tags, warmup, iterations) in [
            (
                generator::Tags::TaskInstance,
                plan.ti_warmup,
                plan.ti_iterations,
            ),
            (generator::Tags::All, plan.all_warmup, plan.all_iterations),
        ] {
            println!(
                "generator, {}: {warmup} warm-up + {iterations} iterations ...",
                tags.label()
            );
            let report = generator::run(tags, warmup, iterations, &xtask)?;
            println!("  median {} ms", generator::ms(report.regen.median));
            results.generator.push(report);
        }
    }

    if let Some(binary) = &client_binary {
        let which = match (wants("decode"), wants("request")) {
            (true, true) => "all",
            (true, false) => "decode",
            _ => "request",
        };
        println!("client benchmarks ({which}) ...");
        results.client = client::run(binary, which, quick)?;
        if let Some(d) = &results.client.decode {
            println!(
                "  decode: generated {} ms, hand-written {} ms, Value {} ms",
                stats::ms(d.generated.median, 2),
                stats::ms(d.hand_written.median, 2),
                stats::ms(d.value.median, 2)
            );
        }
        if let Some(r) = &results.client.request {
            println!(
                "  request: generated {} µs, bare reqwest {} µs",
                stats::us(r.generated.median),
                stats::us(r.bare_reqwest.median)
            );
        }
    }

    if wants("build") {
        println!("crate-only builds ({} of each) ...", plan.build_repeat);
        results
            .builds
            .push(build::task_instance(plan.build_repeat, count)?);
        let generated = crate::root().join("generated");
        let caller = |label: &str, package, library, dir: &std::path::Path| {
            build::caller(label.into(), package, library, dir, plan.build_repeat)
        };
        let now = caller(
            "`generated/`",
            "airflow-caller",
            "airflow-client",
            &generated,
        )?;
        results.builds.push(now);
        if let Some(rev) = args.value("--baseline")? {
            let baseline = build::baseline(rev, plan.build_repeat, count)?;
            let dir = baseline.dir.clone();
            results.builds.push(baseline);
            let label = format!("`{rev}`");
            let library = "airflow-client-baseline";
            let then = caller(&label, "airflow-caller-baseline", library, &dir)?;
            results.builds.push(then);
        }
        results.builds.push(build::all_tags(plan.build_repeat)?);
    }

    results.machine.load_end = load_average();
    let markdown = report::markdown(&results);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(&out, markdown).map_err(|e| format!("writing {}: {e}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
