//! Regen as a user waits for it: the wall time of the built `xtask regen` process, from start
//! to exit, writing the client for the pinned spec into an empty folder (Task Instance tag,
//! all tags). The generator keeps no cache, so every run does the whole work.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::root;

use super::stats::Stats;

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
}

/// One selection's figures.
pub struct Report {
    pub tags: Tags,
    pub warmup: usize,
    pub regen: Stats,
    /// What the last run wrote, as `xtask regen` printed it.
    pub wrote: String,
}

/// `xtask` is the binary to start.
pub fn run(tags: Tags, warmup: usize, iterations: usize, xtask: &Path) -> Result<Report, String> {
    let out = root()
        .join("target")
        .join("bench")
        .join("regen")
        .join(tags.dir());
    let mut samples = Vec::new();
    let mut wrote = String::new();
    for i in 0..warmup + iterations {
        remove(&out)?;
        let started = Instant::now();
        wrote = regen_process(xtask, &out, tags)?;
        let took = started.elapsed();
        if i >= warmup {
            samples.push(took);
        }
    }
    let regen = Stats::of(&samples).ok_or("no iterations were run")?;
    Ok(Report {
        tags,
        warmup,
        regen,
        wrote,
    })
}

/// Removes the output folder between runs (not timed).
fn remove(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("removing {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Runs one regen; its first output line (what it wrote).
fn regen_process(xtask: &Path, out: &Path, tags: Tags) -> Result<String, String> {
    let mut command = Command::new(xtask);
    command.arg("regen").arg("--out").arg(out);
    if tags == Tags::All {
        command.arg("--all-tags");
    }
    let output = command
        .output()
        .map_err(|e| format!("running {}: {e}", xtask.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{} regen --out {}` failed ({}): {}",
            xtask.display(),
            out.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout.lines().next().unwrap_or_default().to_string())
}

/// The binary to time: this one, which is the xtask binary.
pub fn xtask_binary() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))
}

/// A duration for the report, in milliseconds.
pub fn ms(d: Duration) -> String {
    super::stats::ms(d, 1)
}
