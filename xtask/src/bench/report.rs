//! BENCHMARKS.md: the machine, a summary against the targets, and one table per benchmark.
//! It prints measurements and how they were taken; ARCHITECTURE.md explains the design.

use std::fmt::Write as _;
use std::time::Duration;

use super::build::{self, Kind};
use super::client::{Decode, Request};
use super::generator::{self, Tags};
use super::results::Results;
use super::stats::{ms, ratio, secs, us};

/// The issue's targets.
pub const REGEN_TI_MS: f64 = 100.0;
pub const REGEN_ALL_MS: f64 = 300.0;
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
    if !r.generator.is_empty() {
        generator_section(&mut md, &r.generator);
    }
    let (callers, crates): (Vec<_>, Vec<_>) = r.builds.iter().partition(|b| b.caller);
    if !crates.is_empty() {
        build_section(&mut md, &crates, r.plan.build_repeat);
    }
    if !callers.is_empty() {
        caller_section(&mut md, &callers, r.plan.build_repeat);
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
        let _ = writeln!(
            md,
            "| `xtask regen`, {}, a fresh process | ≤ {target:.0} ms wall, release | {} ms | {peers} | {} |",
            g.tags.label(),
            ms(g.regen.median, 1),
            verdict(g.regen.median.as_secs_f64() * 1e3 <= target)
        );
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
            let build = if b.caller {
                "build of"
            } else {
                "crate-only build,"
            };
            if b.has_target {
                let _ = writeln!(
                    md,
                    "| {build} {}, {} | < {target} s | {} s | {peers} | {} |",
                    b.crate_label,
                    kind.label(),
                    secs(s.median),
                    verdict(below(s.median, target))
                );
            } else {
                let _ = writeln!(
                    md,
                    "| {build} {}, {} | none (the targets are for `generated/`) | {} s | — | for reference |",
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

fn generator_section(md: &mut String, generators: &[generator::Report]) {
    let _ = writeln!(md, "## Generator\n");
    let _ = writeln!(
        md,
        "Wall time of the release `xtask regen` process, from start to exit, writing the client \
         for the pinned spec into an empty folder (start-up included, cargo's own not). The \
         generator keeps no cache, so every run does the whole work.\n"
    );
    let _ = writeln!(
        md,
        "| selection | what it wrote | runs | median ms | min ms | p90 ms |\n|---|---|---|---|---|---|"
    );
    for g in generators {
        let _ = writeln!(
            md,
            "| {} | {} | {} (after {} warm-up) | {} | {} | {} |",
            g.tags.label(),
            g.wrote.split(" to ").next().unwrap_or_default(),
            g.regen.n,
            g.warmup,
            ms(g.regen.median, 1),
            ms(g.regen.min, 1),
            ms(g.regen.p90, 1)
        );
    }
    md.push('\n');
}

fn build_section(md: &mut String, builds: &[&build::Report], repeat: usize) {
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
    let columns = [
        (Kind::NoOp, "no-op s"),
        (Kind::Touch, "one file touched s"),
        (Kind::Cold, "cold s"),
        (Kind::CheckCold, "cold `cargo check` s"),
    ];
    build_table(md, "crate", &columns, builds);
    contended_note(md, builds);
    if builds.iter().any(|b| b.instructions.is_some()) {
        let _ = writeln!(
            md,
            "Rustc instructions (`--instructions`): what rustc executed in one more cold build of \
             the crate's library, counted by valgrind's callgrind. Wall time here moves with the \
             machine's load and clock by a tenth or more between runs; this count does not, so it \
             is the column to compare two crates by.\n"
        );
    }
}

/// A table of builds: each one's label, its lines of Rust, and a column per kind measured.
fn build_table(md: &mut String, first: &str, columns: &[(Kind, &str)], builds: &[&build::Report]) {
    let mut titles: Vec<&str> = columns.iter().map(|(_, title)| *title).collect();
    let counted = builds.iter().any(|b| b.instructions.is_some());
    if counted {
        titles.push("cold, rustc instructions");
    }
    let _ = writeln!(md, "| {first} | lines of Rust | {} |", titles.join(" | "));
    let _ = writeln!(md, "|---|---|{}", "---|".repeat(titles.len()));
    for b in builds {
        let mut cells: Vec<String> = columns.iter().map(|(kind, _)| cell(b, *kind)).collect();
        if counted {
            let g = b.instructions.map(|n| format!("{:.3} G", n as f64 / 1e9));
            cells.push(g.unwrap_or_else(|| "—".into()));
        }
        let (label, lines) = (&b.crate_label, b.rust_lines);
        let _ = writeln!(md, "| {label} | {lines} | {} |", cells.join(" | "));
    }
    md.push('\n');
}

/// A build's median with its range, or `—` when it was not measured.
fn cell(build: &build::Report, kind: Kind) -> String {
    build.stats(kind).map_or("—".to_string(), |s| {
        format!("{} ({} – {})", secs(s.median), secs(s.min), secs(s.max))
    })
}

fn contended_note(md: &mut String, builds: &[&build::Report]) {
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
}

fn caller_section(md: &mut String, callers: &[&build::Report], repeat: usize) {
    let _ = writeln!(
        md,
        "## A program that calls every operation
"
    );
    let _ = writeln!(
        md,
        "What a user's own crate costs to build: a program made of the operation examples in the \
         crate's docs, one function each, built against the crate (`target/bench/airflow-caller*/`, \
         `cargo build --config profile.dev.debug=0` with the workspace's target folder). Cold: \
         after `cargo clean -p` of the program and the crate, so both compile. Program touched: \
         its `main.rs` gets a new mtime, as an edit of the user's code does. Median of {repeat} \
         (min – max). A crate-only build counts neither what a call compiles in the caller \
         (generic code, async bodies) nor what it spares the caller.\n"
    );
    let columns = [
        (Kind::Touch, "program touched s"),
        (Kind::Cold, "cold, crate and program s"),
    ];
    build_table(md, "program", &columns, callers);
    contended_note(md, callers);
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
