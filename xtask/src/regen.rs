//! `cargo xtask regen` and `cargo xtask check`.

use std::time::Instant;

use airflow_codegen::output;

// Re-exported: tests build their regens from `xtask::regen::Job`.
pub use crate::job::Job;
use crate::Args;

pub fn regen(rest: &[String]) -> Result<(), String> {
    regen_job(&Job::parse(rest)?)
}

/// Generates and writes one job, printing what it wrote; on any error nothing is written.
pub fn regen_job(job: &Job) -> Result<(), String> {
    let started = Instant::now();
    let generated = job.run()?;
    output::write_tree(&job.out, &generated.files)
        .map_err(|e| format!("writing {}: {e} (nothing was replaced)", job.out.display()))?;
    let lines: usize = generated.files.values().map(|t| t.lines().count()).sum();
    let operations: usize = generated.api.apis.iter().map(|a| a.operations.len()).sum();
    println!(
        "wrote {} files ({lines} lines; {operations} operations, {} types) to {} in {:.1} ms",
        generated.files.len(),
        generated.api.types.len(),
        job.out.display(),
        started.elapsed().as_secs_f64() * 1e3
    );
    for warning in &generated.api.warnings {
        println!("warning: {warning}");
    }
    Ok(())
}

pub fn check(rest: &[String]) -> Result<(), String> {
    Args::new(rest).only(&[], &[])?;
    let job = Job::default_job();
    let generated = job.run()?;
    let diff = output::differences(&job.out, &generated.files).map_err(|e| e.to_string())?;
    if diff.is_empty() {
        println!("generated/ is up to date");
        return Ok(());
    }
    let lines: Vec<String> = diff.iter().map(ToString::to_string).collect();
    Err(format!("generated/ differs from what regen writes now:\n  {}\nrun `cargo xtask regen` and commit the result", lines.join("\n  ")))
}
