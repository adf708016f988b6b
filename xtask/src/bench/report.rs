//! BENCHMARKS.md: the machine, a summary against the issue's targets, one table per
//! benchmark, and a "what bounds it" note for every target that was missed.

use std::fmt::Write as _;
use std::time::Duration;

use super::build::{self, Kind};
use super::client::{Decode, Request};
use super::generator::{self, Tags};
use super::stats::{ms, ratio, secs, us, Stats};
use super::Results;

/// The issue's targets.
pub const REGEN_TI_MS: f64 = 50.0;
pub const REGEN_ALL_MS: f64 = 150.0;
pub const BUILD_COLD_S: f64 = 2.5;
pub const BUILD_TOUCH_S: f64 = 0.8;
pub const DECODE_RATIO: f64 = 1.15;
pub const REQUEST_RATIO: f64 = 1.05;

fn verdict(met: bool) -> &'static str {
    if met {
        "within target"
    } else {
        "**missed**"
    }
}

fn below(d: Duration, seconds: f64) -> bool {
    d.as_secs_f64() < seconds
}

pub fn markdown(r: &Results) -> String {
    let mut md = String::new();
    header(&mut md, r);
    summary(&mut md, r);
    for report in &r.generator {
        generator_section(&mut md, report);
    }
    if !r.builds.is_empty() {
        build_section(&mut md, &r.builds, r.plan.build_repeat);
    }
    if let Some(d) = &r.client.decode {
        decode_section(&mut md, d);
    }
    if let Some(q) = &r.client.request {
        request_section(&mut md, q);
    }
    peers(&mut md);
    md
}

fn header(md: &mut String, r: &Results) {
    let m = &r.machine;
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask bench{}` on {}. Measurements only: nothing passes or fails on \
         these numbers. Re-run the command to refresh this file (`--quick` for a smoke run with \
         fewer iterations, written to `target/bench/` instead).\n",
        if r.plan.quick { " --quick" } else { "" },
        m.date
    );
    let _ = writeln!(md, "| machine | |\n|---|---|");
    let _ = writeln!(md, "| CPUs (`nproc`) | {} |", m.nproc);
    let _ = writeln!(md, "| CPU model | {} |", m.cpu);
    let _ = writeln!(md, "| rustc | {} |", m.rustc);
    let _ = writeln!(md, "| OS | {} |", m.os);
    let _ = writeln!(
        md,
        "| load average (1, 5, 15 min) | {} at the start, {} at the end |",
        m.load_start, m.load_end
    );
    let _ = writeln!(
        md,
        "| run | {} |\n",
        if r.plan.quick {
            "quick (smoke run: few iterations, figures indicative only)"
        } else {
            "full"
        }
    );
    if let Some(load) = m.busy() {
        let _ = writeln!(
            md,
            "> **The machine was busy** while this ran (1-minute load average up to {load:.1} on \
             {} CPUs): absolute figures are inflated and noisy. The ratios (decode, request) are \
             the most robust numbers here, because both sides of each comparison ran interleaved \
             in the same process.\n",
            m.nproc
        );
    }
}

fn summary(md: &mut String, r: &Results) {
    let _ = writeln!(md, "## Against the targets\n");
    let _ = writeln!(
        md,
        "| benchmark | target | measured (median) | peers, for reference | |\n|---|---|---|---|---|"
    );
    for g in &r.generator {
        let (target, peers) = match g.tags {
            Tags::TaskInstance => (REGEN_TI_MS, "progenitor 45–80 ms; openapi-generator 3.1 s"),
            Tags::All => (REGEN_ALL_MS, "—"),
        };
        for (phase, how) in [
            (
                generator::WHOLE_CACHED,
                "caches warm, a re-run (spec and generator unchanged)",
            ),
            (
                generator::EDITED,
                "caches warm, one operation's summary edited in the spec",
            ),
            (
                generator::EDITED_CODE,
                "caches warm, one enum value added in the spec (a code change)",
            ),
            (
                generator::WHOLE,
                "no caches (first run, new toolchain, every file changed)",
            ),
        ] {
            let Some(whole) = g.stats(phase) else {
                continue;
            };
            let process = match (phase, g.stats(generator::PROCESS)) {
                (generator::WHOLE_CACHED, Some(p)) => {
                    format!(" ({} ms as a fresh `xtask regen` process)", ms(p.median, 1))
                }
                _ => String::new(),
            };
            let _ = writeln!(
                md,
                "| regen, {}, {how} | < {target:.0} ms wall, release | {} ms in process{process} | {peers} | {} |",
                g.tags.label(),
                ms(whole.median, 1),
                verdict(whole.median.as_secs_f64() * 1e3 < target)
            );
        }
    }
    for b in &r.builds {
        for (kind, target, peers) in [
            (
                Kind::Cold,
                BUILD_COLD_S,
                "openapi-generator 9.8 s; progenitor 3.4 s",
            ),
            (
                Kind::Touch,
                BUILD_TOUCH_S,
                "openapi-generator 2.5 s; progenitor 0.85 s",
            ),
        ] {
            let Some(s) = b.stats(kind) else { continue };
            if b.has_target {
                let _ = writeln!(
                    md,
                    "| crate-only build, {}, {} | < {target} s | {} s | {peers} | {} |",
                    b.crate_label,
                    kind.label(),
                    secs(s.median),
                    verdict(below(s.median, target))
                );
            } else {
                let _ = writeln!(
                    md,
                    "| crate-only build, {}, {} | none (the targets are for `generated/`) | {} s | — | for reference |",
                    b.crate_label,
                    kind.label(),
                    secs(s.median),
                );
            }
        }
    }
    if let Some(d) = &r.client.decode {
        let x = ratio(d.generated.median, d.hand_written.median);
        let _ = writeln!(
            md,
            "| decode {} task instances ({:.2} MB) | ≤ {DECODE_RATIO}× hand-written serde | {x:.2}× ({} ms vs {} ms) | the seed's Python client: ~92 ms | {} |",
            thousands(d.items),
            d.fixture_bytes as f64 / 1e6,
            ms(d.generated.median, 2),
            ms(d.hand_written.median, 2),
            verdict(x <= DECODE_RATIO)
        );
    }
    if let Some(q) = &r.client.request {
        let x = ratio(q.generated.median, q.bare_reqwest.median);
        let _ = writeln!(
            md,
            "| request overhead, `get_task_instances` | ≤ {REQUEST_RATIO}× bare reqwest | {x:.3}× ({} µs vs {} µs) | — | {} |",
            us(q.generated.median),
            us(q.bare_reqwest.median),
            verdict(x <= REQUEST_RATIO)
        );
    }
    md.push('\n');
}

fn row(md: &mut String, label: &str, s: &Stats, f: impl Fn(Duration) -> String) {
    let _ = writeln!(
        md,
        "| {label} | {} | {} | {} |",
        f(s.median),
        f(s.min),
        f(s.p90)
    );
}

fn generator_section(md: &mut String, g: &generator::Report) {
    let _ = writeln!(md, "## Generator: {}\n", g.tags.label());
    let _ = writeln!(
        md,
        "The pinned spec, {} operations and {} types → {} files, {} lines. Release build, in the \
         xtask process; {} warm-up + {} iterations, each running every phase once in pipeline \
         order on fresh inputs (a copy of the previous phase's output where a phase consumes or \
         mutates it; the copy is not timed). The three `load:` steps are the generator's own \
         timings of the same call (`airflow_codegen::load::load_timed`), which `load` times as a \
         whole. \
         Printed code is cached by token text with doc comments masked (for this generator \
         binary); rustfmt's output by (binary, input) for each piece of a file (top-level items \
         and `impl` members, doc comment lines masked) and for whole files; an unchanged tree \
         is not rewritten. `no cache` is a first regen, a new toolchain or a spec change that \
         touches every file (every file written anew); `cache warm` is a re-run. `one \
         operation's summary edited` is a small spec change in between: `get_task_instance`'s \
         summary gets text no earlier run used. It shows only in doc comments, which both \
         caches mask, so nothing is printed or formatted anew: the files that show it are put \
         back together from cached pieces, and written. `one enum value added` changes code: \
         the task instance states get a new first value no earlier run used, so the pieces of \
         that model's file that show it are printed and formatted anew (one rustfmt process), \
         the rest from the caches. \
         `regen in process` is what `cargo xtask regen` does after start-up (read, generate, \
         write all-or-nothing): `Job::run` with its caches for `caches warm`, the same from the \
         edited spec for the edit, `airflow_codegen::generate` into an empty folder for \
         `no caches`. \
         The fresh process runs the xtask binary (`xtask regen --out ...`), so start-up is in, \
         but not cargo's.\n",
        g.operations, g.types, g.files, g.lines, g.warmup, g.iterations
    );
    let _ = writeln!(
        md,
        "| phase | median ms | min ms | p90 ms |\n|---|---|---|---|"
    );
    for (phase, s) in &g.phases {
        row(md, phase, s, |d| ms(d, 2));
    }
    for (pipeline, label) in [
        (generator::PIPELINE, "no cache"),
        (generator::PIPELINE_CACHED, "cache warm"),
    ] {
        let sum: Duration = pipeline
            .iter()
            .filter_map(|p| g.stats(p))
            .map(|s| s.median)
            .sum();
        let _ = writeln!(
            md,
            "| sum of the medians of read, load, ir, emit, format, write ({label}) | {} | | |",
            ms(sum, 2)
        );
    }
    md.push('\n');
    let target = match g.tags {
        Tags::TaskInstance => REGEN_TI_MS,
        Tags::All => REGEN_ALL_MS,
    };
    for (phase, pipeline, label) in [
        (
            generator::WHOLE_CACHED,
            generator::PIPELINE_CACHED,
            "caches warm",
        ),
        (generator::WHOLE, generator::PIPELINE, "no caches"),
    ] {
        let Some(whole) = g.stats(phase) else {
            continue;
        };
        if whole.median.as_secs_f64() * 1e3 < target {
            continue;
        }
        let _ = write!(
            md,
            "**What bounds it**, {label} ({} ms against < {target:.0} ms): ",
            ms(whole.median, 1)
        );
        if let Some((top, share)) = g.dominant(pipeline) {
            let second = runner_up(g, pipeline, top);
            let _ = write!(
                md,
                "`{top}` is {:.0}% of the pipeline{}. {}",
                share * 100.0,
                second.as_ref().map_or(String::new(), |(p, share)| format!(
                    ", then `{p}` ({:.0}%)",
                    share * 100.0
                )),
                phase_note(top, g, pipeline)
            );
            if let Some((p, _)) = second {
                let note = phase_note(p, g, pipeline);
                if !note.is_empty() && p != generator::FORMAT {
                    let _ = write!(md, " {note}");
                }
            }
        }
        md.push_str("\n\n");
    }
    if let Some(edited) = g.stats(generator::EDITED_CODE) {
        if edited.median.as_secs_f64() * 1e3 >= target {
            let get = |p: &str| g.stats(p).map_or(Duration::ZERO, |s| s.median);
            let _ = writeln!(
                md,
                "**What bounds it**, one enum value added ({} ms against < {target:.0} ms): what \
                 a summary edit costs ({} ms), plus printing the changed pieces of one model \
                 file and one rustfmt process for them, whose start-up alone is about 15 ms on \
                 this machine.\n",
                ms(edited.median, 1),
                ms(get(generator::EDITED), 1)
            );
        }
    }
    if let Some(edited) = g.stats(generator::EDITED) {
        if edited.median.as_secs_f64() * 1e3 >= target {
            let get = |p: &str| g.stats(p).map_or(Duration::ZERO, |s| s.median);
            let _ = writeln!(
                md,
                "**What bounds it**, one summary edited ({} ms against < {target:.0} ms): nothing \
                 is printed or formatted anew (the summary is only in doc comments, which the \
                 caches mask), but the run still loads the whole document ({} ms), builds the IR \
                 ({} ms) and every file's tokens ({} ms with a warm cache), puts the edited files \
                 together from cached pieces and writes the changed tree.\n",
                ms(edited.median, 1),
                ms(get(generator::LOAD), 1),
                ms(get(generator::IR), 1),
                ms(get(generator::EMIT_CACHED), 1)
            );
        }
    }
}

/// The second-largest step and its share, when it is at least a fifth.
fn runner_up(
    g: &generator::Report,
    pipeline: &[&'static str],
    top: &str,
) -> Option<(&'static str, f64)> {
    let get = |p: &str| g.stats(p).map_or(Duration::ZERO, |s| s.median);
    let total: Duration = pipeline.iter().map(|p| get(p)).sum();
    pipeline
        .iter()
        .filter(|p| **p != top)
        .max_by_key(|p| get(p))
        .map(|p| (*p, get(p).as_secs_f64() / total.as_secs_f64()))
        .filter(|(_, share)| *share >= 0.2)
}

fn phase_note(phase: &str, g: &generator::Report, pipeline: &[&str]) -> String {
    let get = |p: &str| g.stats(p).map_or(Duration::ZERO, |s| s.median);
    let rest: Duration = pipeline
        .iter()
        .filter(|p| **p != phase)
        .map(|p| get(p))
        .sum();
    match phase {
        generator::FORMAT => format!(
            "Without a cache, rustfmt runs as child processes (two at once) over the whole \
             emitted crate: the {} files, cut into pieces, are written to a work folder, \
             formatted and read back. prettyplease has already laid the code out; this pass \
             exists so that the workspace's `cargo fmt` never changes `generated/` \
             (ARCHITECTURE.md), and its cost is rustfmt's start-up plus parsing and printing {} \
             lines again. The rest of the pipeline takes {} ms.",
            g.files,
            g.lines,
            ms(rest, 1)
        ),
        generator::FORMAT_CACHED => format!(
            "With a warm cache, formatting is hashing every file and reading its cached answer \
             ({} files). The rest of the pipeline takes {} ms.",
            g.files,
            ms(rest, 1)
        ),
        generator::LOAD => {
            let steps = [generator::PARSE, generator::NORMALISE, generator::MODEL]
                .map(|p| format!("{} {} ms", p.trim_start_matches("load: "), ms(get(p), 1)));
            format!(
                "Loading reads the YAML into a JSON value, rewrites 3.1 constructs into 3.0 \
                 shapes and deserialises the result into openapiv3's model: {}.",
                steps.join(", ")
            )
        }
        generator::EMIT => format!(
            "Emit builds token streams for every model and operation ({} types, {} operations), \
             parses each file's tokens with syn and prints them with prettyplease; the parse is \
             most of it.",
            g.types, g.operations
        ),
        generator::EMIT_CACHED => format!(
            "With a warm cache, emit still builds every token stream ({} types, {} operations), \
             masks its doc attributes, hashes each file's token text, reads its printed code \
             back and puts the docs back in.",
            g.types, g.operations
        ),
        generator::WRITE_UNCHANGED => format!(
            "An unchanged tree is compared file by file ({} files read) and left alone.",
            g.files
        ),
        generator::WRITE => format!(
            "Writing is all-or-nothing: the {} files are created in a staging folder, the old \
             tree is renamed away, the new one renamed in and the old one removed, so this step \
             is bound by the file system (file creation and removal) rather than by the \
             generator.",
            g.files
        ),
        _ => String::new(),
    }
}

fn build_section(md: &mut String, builds: &[build::Report], repeat: usize) {
    let _ = writeln!(md, "## Crate-only build of the emitted crate\n");
    let _ = writeln!(
        md,
        "Wall time of one `cargo build` (debug profile with the workspace's `debug = 0`, \
         dependencies already built), median of {repeat} (min – max): `cargo build -p \
         airflow-client` in the workspace, and `cargo build --config profile.dev.debug=0` with \
         `CARGO_TARGET_DIR` set to the workspace's target folder in `target/bench/all-tags/`. Cold: after `cargo clean \
         -p <crate>`, which removes only that package's artifacts and incremental cache. One file \
         touched: `{}` gets a new mtime. No-op: nothing changed, cargo's own floor for any build. \
         Cold `cargo check`: the front end alone (parsing, macro expansion, type and borrow \
         checking), so cold build − cold check is code generation. \
         The all-tags crate is regenerated into `target/bench/all-tags/` and built with the \
         workspace's target folder, so it shares the dependency builds. A sample that waited for \
         another cargo's lock on the target folder, or where cargo did not do what is measured \
         (another build in the same folder got there first), is retaken up to three times.\n",
        build::TOUCHED
    );
    let _ = writeln!(
        md,
        "| crate | lines of Rust | no-op s | one file touched s | cold s | cold `cargo check` s |\n|---|---|---|---|---|---|"
    );
    for b in builds {
        let cell = |kind: Kind| {
            b.stats(kind).map_or("—".to_string(), |s| {
                format!("{} ({} – {})", secs(s.median), secs(s.min), secs(s.max))
            })
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            b.crate_label,
            b.rust_lines,
            cell(Kind::NoOp),
            cell(Kind::Touch),
            cell(Kind::Cold),
            cell(Kind::CheckCold)
        );
    }
    md.push('\n');
    let contended: usize = builds
        .iter()
        .flat_map(|b| &b.rows)
        .map(|r| r.contended)
        .sum();
    if contended > 0 {
        let _ = writeln!(
            md,
            "{contended} sample(s) still waited for another build's lock after three tries; \
             they are included.\n"
        );
    }
    for b in builds.iter().filter(|b| b.has_target) {
        let get = |kind: Kind| b.stats(kind).map(|s| s.median);
        let (Some(noop), Some(touch), Some(cold)) =
            (get(Kind::NoOp), get(Kind::Touch), get(Kind::Cold))
        else {
            continue;
        };
        let mut notes = Vec::new();
        if !below(cold, BUILD_COLD_S) {
            let split = match get(Kind::CheckCold) {
                Some(check) if check >= cold => format!(
                    "the front end is practically all of it (parsing, macro expansion, type and \
                     borrow checking: a cold `cargo check` alone took {} s on this run, so code \
                     generation is within the noise)",
                    secs(check)
                ),
                Some(check) => format!(
                    "{} s front end (parsing, macro expansion, type and borrow checking: cold \
                     `cargo check` over the floor) and {} s code generation (cold build − cold \
                     check)",
                    secs(check.saturating_sub(noop)),
                    secs(cold.saturating_sub(check))
                ),
                None => format!("{} s of rustc", secs(cold.saturating_sub(noop))),
            };
            notes.push(format!(
                "cold {} s against < {BUILD_COLD_S} s: cargo's floor (the no-op build) is {} s, \
                 then rustc on the crate's {} lines with no incremental cache: {split}",
                secs(cold),
                secs(noop),
                b.rust_lines
            ));
        }
        if !below(touch, BUILD_TOUCH_S) {
            notes.push(format!(
                "one file touched {} s against < {BUILD_TOUCH_S} s: the crate is rustc's unit of \
                 compilation, so a touched file re-runs rustc on the whole crate; incremental \
                 compilation reuses unchanged query results and object files, which leaves {} s \
                 over cargo's {} s floor",
                secs(touch),
                secs(touch.saturating_sub(noop)),
                secs(noop)
            ));
        }
        if !notes.is_empty() {
            let _ = writeln!(
                md,
                "**What bounds it**, {}: {}.\n",
                b.crate_label,
                notes.join("; ")
            );
        }
    }
}

fn decode_section(md: &mut String, d: &Decode) {
    let _ = writeln!(
        md,
        "## Decode a page of {} task instances\n",
        thousands(d.items)
    );
    let _ = writeln!(
        md,
        "One deterministic page ({} bytes, built in code by `airflow_bench::fixture`: realistic \
         ids, dates and states, nulls where a task has not got that far, free-form \
         `rendered_fields` with nested objects, nested `dag_version`, triggers on deferred \
         tasks), decoded with `serde_json::from_slice` into three targets in the same process, \
         interleaved and in rotating order: the generated `TaskInstanceCollectionResponse`, a \
         minimal hand-written serde struct with the same fields and field types (the floor for \
         this approach; `state` as a `String`), and `serde_json::Value`. Timed from the first \
         byte to the finished value; dropping it is not timed. serde_json without \
         `preserve_order`, as a plain user of the client gets it. `cargo test -p airflow-bench` \
         checks that the page has 2,000 items and that the generated and hand-written types read \
         exactly the same values.\n",
        thousands(d.fixture_bytes)
    );
    let _ = writeln!(
        md,
        "| decoder | median ms | min ms | p90 ms | MB/s (median) | vs hand-written |\n|---|---|---|---|---|---|"
    );
    for (label, s) in [
        ("generated `TaskInstanceCollectionResponse`", &d.generated),
        ("hand-written serde struct", &d.hand_written),
        ("`serde_json::Value`", &d.value),
    ] {
        let mbps = d.fixture_bytes as f64 / 1e6 / s.median.as_secs_f64();
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {mbps:.0} | {:.2}× |",
            ms(s.median, 2),
            ms(s.min, 2),
            ms(s.p90, 2),
            ratio(s.median, d.hand_written.median)
        );
    }
    let _ = writeln!(md, "\n({} iterations of each.)\n", d.generated.n);
    let x = ratio(d.generated.median, d.hand_written.median);
    if x > DECODE_RATIO {
        let _ = writeln!(
            md,
            "**What bounds it** ({x:.2}× against ≤ {DECODE_RATIO}×): the two types differ only in \
             how `state` is read (an open enum matched from the string, against a `String`) and \
             in required-nullable fields being decoded with `Option::deserialize` (which also \
             rejects a missing field); the rest is the same serde derive.\n"
        );
    }
}

fn request_section(md: &mut String, q: &Request) {
    let _ = writeln!(md, "## Request overhead: `get_task_instances`\n");
    let _ = writeln!(
        md,
        "`client.task_instance().get_task_instances(dag, run, &GetTaskInstancesParams::default())` \
         against the same request made with bare reqwest 0.12 (the same reqwest, the same \
         headers, the body read with `bytes()` and decoded by serde_json into the same generated \
         type), so only the client layer differs. Both talk to one loopback HTTP/1.1 server \
         (tokio, 127.0.0.1, keep-alive, a fixed {}-byte page of {} task instances) that runs on \
         the same current-thread runtime as the clients, so a request costs no cross-thread \
         wake-ups and the server's small, fixed share is the same for both. Each request is timed \
         on its own; the clients take turns in blocks of requests, the order swapping every \
         round. The server checks that both send byte-identical requests:\n",
        thousands(q.body_bytes),
        q.items
    );
    let _ = writeln!(
        md,
        "```http\n{}\n```\n",
        mask_port(q.request_head.trim_end())
    );
    let _ = writeln!(
        md,
        "| client | median µs | min µs | p90 µs | vs bare reqwest |\n|---|---|---|---|---|"
    );
    for (label, s) in [
        ("generated client", &q.generated),
        ("bare reqwest", &q.bare_reqwest),
    ] {
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {:.3}× |",
            us(s.median),
            us(s.min),
            us(s.p90),
            ratio(s.median, q.bare_reqwest.median)
        );
    }
    let extra = q.generated.median.saturating_sub(q.bare_reqwest.median);
    let _ = writeln!(
        md,
        "\n({} requests with each client.) The generated client's layer costs {} µs per \
         request (difference of medians; {} µs between the minimums).\n",
        q.generated.n,
        us(extra),
        us(q.generated.min.saturating_sub(q.bare_reqwest.min))
    );
    if let Some((generated, bare)) = q.allocations {
        let _ = writeln!(
            md,
            "Allocations per request, counted apart from the timed requests (the loopback \
             server's included, the same for both): generated client {generated:.1}, bare \
             reqwest {bare:.1}.\n"
        );
    }
    let x = ratio(q.generated.median, q.bare_reqwest.median);
    if x > REQUEST_RATIO {
        let _ = writeln!(
            md,
            "**What bounds it** ({x:.3}× against ≤ {REQUEST_RATIO}×): the {} µs are what the \
             client layer does per request that bare reqwest does not: encoding both path \
             segments and each of the operation's optional query parameters (unset ones too) \
             through `serde_json::to_value`, formatting the path and URL strings, reading the \
             token under a lock, and the retry loop's bookkeeping. The ratio is small against a \
             loopback round trip; against a real server's milliseconds it vanishes.\n",
            us(extra)
        );
    }
}

/// `host: 127.0.0.1:PORT`, so the report does not change with the port the server got.
fn mask_port(head: &str) -> String {
    head.lines()
        .map(|line| match line.split_once("127.0.0.1:") {
            Some((before, _)) if line.to_ascii_lowercase().starts_with("host:") => {
                format!("{before}127.0.0.1:PORT")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `2589964` → `2,589,964`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn peers(md: &mut String) {
    let _ = writeln!(md, "## Peers, for reference\n");
    let _ = writeln!(
        md,
        "Figures quoted in the issue, measured elsewhere on other machines; not re-measured here.\n"
    );
    let _ = writeln!(
        md,
        "| | generate | crate build, cold | crate build, one file touched |\n|---|---|---|---|"
    );
    let _ = writeln!(md, "| openapi-generator | 3.1 s | 9.8 s | 2.5 s |");
    let _ = writeln!(md, "| progenitor | 45–80 ms | 3.4 s | 0.85 s |");
    let _ = writeln!(
        md,
        "\nThe seed's Python client decodes the same kind of page in about 92 ms."
    );
}

#[cfg(test)]
mod tests {
    use super::{mask_port, thousands};

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_000), "2,000");
        assert_eq!(thousands(2_589_964), "2,589,964");
    }

    #[test]
    fn the_port_is_masked_in_the_host_header_only() {
        let head = "GET /x?h=127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:44549\r\naccept: */*";
        assert_eq!(
            mask_port(head),
            "GET /x?h=127.0.0.1:1 HTTP/1.1\nhost: 127.0.0.1:PORT\naccept: */*"
        );
    }
}
