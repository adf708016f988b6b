//! The emitted crates as crates.io would take them: `cargo publish --dry-run` for
//! `generated/` and `cargo package` (which builds what it packs) for an all-tags crate, both
//! failing on any warning. Nothing is ever uploaded.

use std::fs;
use std::process::Command;

use airflow_codegen::{output, Selection};

use crate::job::Job;
use crate::root;

/// Packs and builds both crates.
pub fn check() -> Result<(), String> {
    let workspace = root();
    quiet_cargo(
        &workspace,
        &[
            "publish",
            "--dry-run",
            "--allow-dirty",
            "-p",
            "airflow-client",
        ],
    )?;
    let dir = workspace.join("target/package-check/all-tags");
    let job = Job {
        out: dir.clone(),
        selection: Selection::All,
        crate_name: "airflow-client-all".into(),
        ..Job::default_job()
    };
    let generated = job.run()?;
    output::write_tree(&dir, &generated.files)
        .map_err(|e| format!("writing {}: {e}", dir.display()))?;
    // The workspace's lock pins what the emitted crates share, so nothing resolves afresh.
    fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    quiet_cargo(&dir, &["package", "--allow-dirty"])?;
    println!("package: generated/ publishes (dry run), the all-tags crate packs and builds");
    Ok(())
}

/// Runs cargo in `dir` with the workspace's target folder; fails on its failure or on any
/// warning it prints.
fn quiet_cargo(dir: &std::path::Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root().join("target"))
        .output()
        .map_err(|e| format!("running {cargo}: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A dry run always says it did not upload; anything else is about the crate.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("warning"))
        .filter(|l| !l.contains("aborting upload due to dry run"))
        .collect();
    if !output.status.success() || !warnings.is_empty() {
        return Err(format!(
            "`cargo {}` in {}: {}\n{stderr}",
            args.join(" "),
            dir.display(),
            if output.status.success() {
                "warnings"
            } else {
                "failed"
            }
        ));
    }
    Ok(())
}
