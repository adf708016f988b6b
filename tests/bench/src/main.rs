//! `airflow-bench [decode|request|all] [--quick]`: runs the client-side benchmarks and prints
//! their raw samples as one JSON object on stdout. `cargo xtask bench` runs this in release.

use std::process::ExitCode;

use airflow_bench::{alloc::Counting, decode, request, Plan};

/// Counts allocations for the request report (only while asked to).
#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let mut which = "all";
    let mut plan = Plan::full();
    for arg in args {
        match arg.as_str() {
            "--quick" => plan = Plan::quick(),
            "decode" | "request" | "all" => which = arg,
            other => {
                return Err(format!(
                    "unexpected argument `{other}`; usage: airflow-bench [decode|request|all] [--quick]"
                ))
            }
        }
    }
    let mut out = serde_json::Map::new();
    if which != "request" {
        out.insert("decode".into(), decode(&plan)?);
    }
    if which != "decode" {
        out.insert("request".into(), request(&plan)?);
    }
    Ok(out.into())
}
