//! The project's tasks as a library, so tests can run exactly what `cargo xtask` runs.
//!
//! A command's module imports the modules of what commands share, never another command's;
//! only `test_all`, which runs the others, imports commands, and nothing imports it
//! (tests/no_import_cycles.rs holds xtask to having no import loops).

// Commands (`e2e` lives in the binary).
pub mod api_diff;
pub mod bench;
pub mod docs;
pub mod fetch_spec;
pub mod history;
pub mod package;
pub mod regen;
pub mod spec_matrix;
pub mod test_all;

// What commands share.
pub mod api_changes;
pub mod cargo;
pub mod job;
pub mod live;
pub mod real_documents;
pub mod releases;
pub mod signatures;
pub mod spec;
pub mod wheels;

use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  regen [--spec PATH] [--out DIR] [--tag TAG]... [--all-tags] [--crate-name NAME]
        [--history PATH | --no-history] [--supported-from VERSION] [--crate-version V]
        [--repository URL] [--homepage URL] [--documentation URL] [--no-publish] [--strict]
        generate the client crate (default: spec/ → generated/, tag \"Task Instance\");
        an operation of another --spec that cannot be built is skipped with a warning, unless
        --strict (the pinned spec is always strict)
  check  fail, naming the files, when generated/ differs from what regen would write
  package  `cargo publish --dry-run` of generated/ and `cargo package` of an all-tags crate,
        failing on any warning (nothing is uploaded)
  docs   build the emitted crate's rustdoc (warnings denied) and fail on Markdown that shows
  history  rewrite spec/history.yaml, what each release added or dropped, from every
        release's document
  fetch-spec --airflow VERSION
        replace spec/ with the documents shipped in apache-airflow-core VERSION, and print
        what changed in the REST API since the version spec/ held
  api-diff FROM TO [--tag TAG]...
        what changed in the REST API between two releases (versions such as 3.2.2, or paths
        to documents), per tag, each change marked breaking or not breaking
  spec-matrix [--version V]... [--skip-ti-build] [--no-build]
        generate and build clients for every apache-airflow-core release 3.0.0..=3.3.2
  live   serve tests/live/app.py (FastAPI) from the e2e venv and run a client generated
        from its document against it
  real-documents [--document NAME]... [--no-build]
        generate (--all-tags), build and clippy clients for the OpenAPI documents the Airflow
        family and other Python packages ship (pinned versions, downloaded with pip)
  test   run every test: unit, snapshot, drift, wire and end-to-end
  e2e [--airflow V]... [--serve]
        run the end-to-end suite against real Airflow servers (3.3.2, 3.1.8, 3.0.6)
  bench [--quick] [--only generator|build|decode|request]... [--out PATH] [--baseline REV]
        [--instructions]
        measure regen, crate builds, decoding and request overhead; write BENCHMARKS.md
";

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// Pulls `--flag VALUE` pairs and bare `--switch`es out of an argument list.
pub struct Args<'a> {
    rest: &'a [String],
}

impl<'a> Args<'a> {
    pub fn new(rest: &'a [String]) -> Self {
        Args { rest }
    }

    pub fn values(&self, flag: &str) -> Result<Vec<&'a str>, String> {
        let mut out = Vec::new();
        let mut iter = self.rest.iter();
        while let Some(arg) = iter.next() {
            if arg == flag {
                out.push(
                    iter.next()
                        .ok_or_else(|| format!("{flag} needs a value"))?
                        .as_str(),
                );
            } else if let Some(value) = arg.strip_prefix(&format!("{flag}=")) {
                out.push(value);
            }
        }
        Ok(out)
    }

    pub fn value(&self, flag: &str) -> Result<Option<&'a str>, String> {
        Ok(self.values(flag)?.pop())
    }

    pub fn switch(&self, flag: &str) -> bool {
        self.rest.iter().any(|a| a == flag)
    }

    /// Fails on anything not in `known` (flags that take values are followed by one).
    pub fn only(&self, with_value: &[&str], switches: &[&str]) -> Result<(), String> {
        let mut iter = self.rest.iter();
        while let Some(arg) = iter.next() {
            let name = arg.split('=').next().unwrap_or(arg);
            if with_value.contains(&name) {
                if !arg.contains('=') {
                    iter.next();
                }
            } else if !switches.contains(&arg.as_str()) {
                return Err(format!("unexpected argument `{arg}`\n{USAGE}"));
            }
        }
        Ok(())
    }
}
