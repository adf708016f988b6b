//! `cargo xtask test`: every test the project has, in the order that fails fastest: unit,
//! drift, corpus, fuzz and wire tests, doctests and the rendered docs, the live Airflow suite
//! (against every release `cargo xtask e2e` covers, newest first), the matrix of released
//! specs, and the real documents of the Airflow family and other packages.
//!
//! The one module that runs other commands (`docs`, `package`, `spec-matrix`; `e2e` comes from
//! the binary as `end_to_end`), so no command imports it.

use crate::cargo::cargo;
use std::path::PathBuf;

use crate::{docs, live, package, real_documents, spec_matrix, Args};

// Re-exported: tests/support/corpus.rs builds emitted crates with `xtask::test_all::cargo_strict`.
pub use crate::cargo::cargo_strict;

/// `python` gives the interpreter of a release's venv (the binary provisions it).
pub fn run(
    rest: &[String],
    end_to_end: impl FnOnce() -> Result<(), String>,
    python: impl Fn(&str) -> Result<PathBuf, String>,
) -> Result<(), String> {
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
    docs::check()?;
    package::check()?;
    end_to_end()?;
    // The project's own FastAPI app, served, and driven by the client generated from it.
    live::run(&[], &python)?;
    // Every released spec, generated and built: the generator must not break on a release.
    spec_matrix::run(&[])?;
    // Documents the generator was not written for, each as a new user would generate it.
    real_documents::run(&[], &python)
}
