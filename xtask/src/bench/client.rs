//! The client-side benchmarks (decode, request overhead) live in `tests/bench` (package
//! `airflow-bench`), so xtask never depends on the crate it generates. This builds that
//! binary in release, runs it, and summarises the raw samples it prints as JSON.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::root;

use super::stats::Stats;

pub struct Decode {
    pub fixture_bytes: u64,
    pub items: u64,
    pub generated: Stats,
    pub hand_written: Stats,
    pub value: Stats,
}

pub struct Request {
    pub body_bytes: u64,
    pub items: u64,
    pub request_head: String,
    pub generated: Stats,
    pub bare_reqwest: Stats,
    /// Allocations per request (the loopback server's included), generated and bare.
    pub allocations: Option<(f64, f64)>,
}

#[derive(Default)]
pub struct Results {
    pub decode: Option<Decode>,
    pub request: Option<Request>,
}

/// Builds `airflow-bench` in release (not timed) and returns the binary's path.
pub fn build() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "-p", "airflow-bench"])
        .current_dir(root())
        .env_remove("RUSTC_WRAPPER")
        .status()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo build --release -p airflow-bench` failed ({status})"
        ));
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    };
    let binary = target.join("release").join("airflow-bench");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "built airflow-bench, but {} is missing",
            binary.display()
        ))
    }
}

/// Runs `which` (`decode`, `request` or `all`) and reads the figures.
pub fn run(binary: &PathBuf, which: &str, quick: bool) -> Result<Results, String> {
    let mut command = Command::new(binary);
    command.arg(which);
    if quick {
        command.arg("--quick");
    }
    let output = command
        .output()
        .map_err(|e| format!("running {}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {which} failed ({}): {}",
            binary.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let json: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{} printed something other than JSON ({e}): {}",
            binary.display(),
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    let mut results = Results::default();
    if let Some(decode) = json.get("decode") {
        results.decode = Some(Decode {
            fixture_bytes: number(decode, "fixture_bytes")?,
            items: number(decode, "items")?,
            generated: samples(decode, "generated")?,
            hand_written: samples(decode, "hand_written")?,
            value: samples(decode, "value")?,
        });
    }
    if let Some(request) = json.get("request") {
        results.request = Some(Request {
            body_bytes: number(request, "body_bytes")?,
            items: number(request, "items")?,
            request_head: request["request_head"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            generated: samples(request, "generated")?,
            bare_reqwest: samples(request, "bare_reqwest")?,
            allocations: request["allocations_per_request"]["generated"]
                .as_f64()
                .zip(request["allocations_per_request"]["bare_reqwest"].as_f64()),
        });
    }
    Ok(results)
}

fn number(v: &Value, key: &str) -> Result<u64, String> {
    v[key]
        .as_u64()
        .ok_or_else(|| format!("airflow-bench output lacks `{key}`"))
}

fn samples(v: &Value, key: &str) -> Result<Stats, String> {
    let ns: Vec<u64> = v["samples_ns"][key]
        .as_array()
        .ok_or_else(|| format!("airflow-bench output lacks samples for `{key}`"))?
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    Stats::from_nanos(&ns).ok_or_else(|| format!("airflow-bench output has no samples for `{key}`"))
}
