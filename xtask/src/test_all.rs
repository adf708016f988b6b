//! `cargo xtask test`: every test the project has, in the order that fails fastest: unit,
//! snapshot, drift, corpus, fuzz and wire tests, doctests, the live Airflow suite, and the
//! matrix of released specs.

use std::process::Command;

use crate::{root, Args};

pub fn run(rest: &[String], end_to_end: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    Args::new(rest).only(&[], &[])?;
    cargo(&["test", "--workspace", "--all-targets"])?;
    // Doctests of the emitted crate: README and rustdoc examples must compile.
    cargo(&["test", "--doc", "-p", "airflow-client"])?;
    end_to_end()?;
    // Every released spec, generated and built: the generator must not break on a release.
    crate::spec_matrix::run(&[])
}

/// Runs cargo from the workspace root, failing with the command line when it fails.
pub fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
