//! `cargo xtask api-diff FROM TO [--tag TAG]...`: what changed in the REST API between two
//! Airflow releases, per tag, for someone who uses the generated client. FROM and TO are
//! release versions (`3.2.2`; the `apache-airflow-core` wheel is fetched with pip and cached
//! under `target/airflow-wheels/`, as `fetch-spec` does) or paths to documents. `--tag` limits
//! the detailed sections to those tags; the summary always counts every tag.
//!
//! The report, and what it counts as breaking, is [`crate::api_changes`].

use crate::api_changes::{Report, Source};
use crate::wheels::wheel_cache;

pub fn run(rest: &[String]) -> Result<(), String> {
    let mut tags = Vec::new();
    let mut sources = Vec::new();
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        if arg == "--tag" {
            tags.push(iter.next().ok_or("--tag needs a value")?.clone());
        } else if let Some(tag) = arg.strip_prefix("--tag=") {
            tags.push(tag.to_string());
        } else if arg.starts_with("--") {
            return Err(format!("unexpected argument `{arg}`\n{}", crate::USAGE));
        } else {
            sources.push(arg.as_str());
        }
    }
    let [from, to] = sources[..] else {
        return Err(format!(
            "api-diff needs FROM and TO (release versions such as 3.2.2, or paths to documents)\n{}",
            crate::USAGE
        ));
    };
    let report = Report::between(&Source::parse(from)?, &Source::parse(to)?, &wheel_cache())?;
    print!("{}", report.render(&tags)?);
    Ok(())
}
