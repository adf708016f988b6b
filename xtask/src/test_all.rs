//! `cargo xtask test`: every test the project has, in the order that fails fastest: unit,
//! drift, corpus, fuzz and wire tests, doctests and the rendered docs, the live Airflow suite
//! (against every release `cargo xtask e2e` covers, newest first), and the matrix of released
//! specs.

use std::process::Command;

use crate::{root, Args};

pub fn run(rest: &[String], end_to_end: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    Args::new(rest).only(&[], &[])?;
    cargo(&["test", "--workspace", "--all-targets"])?;
    // Doctests of the emitted crate: README and rustdoc examples must compile.
    cargo(&["test", "--doc", "-p", "airflow-client", "--all-features"])?;
    // The TLS choice the default leaves out builds on its own.
    cargo(&[
        "check",
        "-p",
        "airflow-client",
        "--no-default-features",
        "--features",
        "native-tls",
    ])?;
    crate::docs::check()?;
    crate::package::check()?;
    end_to_end()?;
    // Every released spec, generated and built: the generator must not break on a release.
    crate::spec_matrix::run(&[])
}

/// Runs cargo in `dir` with its own target folder and warnings denied, as the checks of
/// emitted crates do; on failure, cargo's stderr.
pub fn cargo_strict(
    dir: &std::path::Path,
    target: &std::path::Path,
    args: &[&str],
) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Runs cargo from the workspace root, failing with the command line when it fails.
pub fn cargo(args: &[&str]) -> Result<(), String> {
    cargo_env(args, &[])
}

/// [`cargo`] with extra environment variables.
pub fn cargo_env(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
