//! `cargo xtask regen` and `cargo xtask check`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use airflow_codegen::{
    generate, output, Config, EmitConfig, Generated, Package, Selection, Templates,
};

use crate::fetch_spec::REST_FILE;
use crate::{root, Args};

pub const DEFAULT_TAG: &str = "Task Instance";
pub const DEFAULT_CRATE: &str = "airflow-client";
/// The emitted crate's version: semver of its Rust API, whatever Airflow release it was
/// generated from (see the crate README's version policy).
pub const CRATE_VERSION: &str = "0.2.0";

/// What one regen run is asked to do.
pub struct Job {
    pub spec: PathBuf,
    pub out: PathBuf,
    pub selection: Selection,
    pub crate_name: String,
    /// The document's release history (`spec/history.yaml` for the pinned spec).
    pub history: Option<PathBuf>,
    /// The oldest release the client supports; the history's first when `None`.
    pub supported_from: Option<String>,
    pub crate_version: String,
    /// The manifest's links and publishing setting.
    pub package: Package,
}

impl Job {
    /// The pinned spec into `generated/`, as CI checks it.
    pub fn default_job() -> Job {
        Job {
            spec: root().join("spec").join(REST_FILE),
            out: root().join("generated"),
            selection: Selection::Tags(vec![DEFAULT_TAG.into()]),
            crate_name: DEFAULT_CRATE.into(),
            history: Some(root().join("spec").join(crate::history::FILE)),
            supported_from: None,
            crate_version: CRATE_VERSION.into(),
            package: Package::default(),
        }
    }

    fn parse(rest: &[String]) -> Result<Job, String> {
        let args = Args::new(rest);
        args.only(
            &[
                "--spec",
                "--out",
                "--tag",
                "--crate-name",
                "--history",
                "--supported-from",
                "--crate-version",
                "--repository",
                "--homepage",
                "--documentation",
            ],
            &["--all-tags", "--no-history", "--no-publish"],
        )?;
        let mut job = Job::default_job();
        if let Some(spec) = args.value("--spec")? {
            job.spec = absolute(spec);
            // Another document's history is not the pinned one's.
            job.history = None;
        }
        if let Some(history) = args.value("--history")? {
            job.history = Some(absolute(history));
        }
        if args.switch("--no-history") {
            job.history = None;
        }
        job.supported_from = args.value("--supported-from")?.map(str::to_string);
        if let Some(version) = args.value("--crate-version")? {
            job.crate_version = version.to_string();
        }
        let url = |flag: &str| -> Result<Option<String>, String> {
            Ok(args.value(flag)?.map(str::to_string))
        };
        job.package = Package {
            repository: url("--repository")?,
            homepage: url("--homepage")?,
            documentation: url("--documentation")?,
            publish: !args.switch("--no-publish"),
        };
        if let Some(out) = args.value("--out")? {
            job.out = absolute(out);
        }
        let tags = args.values("--tag")?;
        job.selection = match (args.switch("--all-tags"), tags.is_empty()) {
            (true, true) => Selection::All,
            (true, false) => return Err("--all-tags and --tag exclude each other".into()),
            (false, true) => job.selection,
            (false, false) => Selection::Tags(tags.into_iter().map(str::to_string).collect()),
        };
        if let Some(name) = args.value("--crate-name")? {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!("`{name}` is not a valid crate name"));
            }
            job.crate_name = name.to_string();
        }
        Ok(job)
    }

    /// The in-workspace output is a workspace member; anywhere else the crate stands alone.
    fn standalone(&self) -> bool {
        self.out != root().join("generated")
    }

    pub fn run(&self) -> Result<Generated, String> {
        let (text, config, templates) = self.inputs()?;
        generate(&text, &config, &templates).map_err(|e| format!("{}: {e}", self.spec.display()))
    }

    /// What a run reads: the document's text, the configuration and the templates.
    pub fn inputs(&self) -> Result<(String, Config, Templates), String> {
        let text = std::fs::read_to_string(&self.spec)
            .map_err(|e| format!("cannot read {}: {e}", self.spec.display()))?;
        let templates = Templates::load(&root().join("templates")).map_err(|e| e.to_string())?;
        let spec_label = self
            .spec
            .strip_prefix(root())
            .unwrap_or(&self.spec)
            .display()
            .to_string();
        let config = Config {
            selection: self.selection.clone(),
            emit: EmitConfig {
                crate_name: self.crate_name.clone(),
                crate_version: self.crate_version.clone(),
                standalone: self.standalone(),
                generated_by: format!("`cargo xtask regen` from {spec_label}"),
                package: self.package.clone(),
            },
            history: self.history.as_deref().map(read_history).transpose()?,
            supported_from: self.supported_from.clone(),
        };
        Ok((text, config, templates))
    }
}

fn read_history(path: &Path) -> Result<airflow_codegen::History, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the release history {}: {e}; write it with `cargo xtask history`, or pass --no-history",
            path.display()
        )
    })?;
    airflow_codegen::History::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn absolute(path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

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
