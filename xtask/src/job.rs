//! One regen run: which document, which tags, what crate, written where. The regen command
//! runs one, as do the commands that generate crates of their own (matrix, package, bench).

use std::path::{Path, PathBuf};

use airflow_codegen::{generate, Config, EmitConfig, Generated, Package, Selection, Templates};

use crate::spec::{HISTORY_FILE, REST_FILE};
use crate::{root, Args};

pub const DEFAULT_TAG: &str = "Task Instance";
pub const DEFAULT_CRATE: &str = "airflow-client";
/// The emitted crate's version: semver of its Rust API, whatever Airflow release it was
/// generated from (see the crate README's version policy).
pub const CRATE_VERSION: &str = "0.4.0";

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
    /// Refuse the document over an operation it cannot build (the pinned spec, in CI), rather
    /// than skip that operation with a warning.
    pub strict: bool,
}

impl Job {
    /// The pinned spec into `generated/`, as CI checks it.
    pub fn default_job() -> Job {
        Job {
            spec: root().join("spec").join(REST_FILE),
            out: root().join("generated"),
            selection: Selection::Tags(vec![DEFAULT_TAG.into()]),
            crate_name: DEFAULT_CRATE.into(),
            history: Some(root().join("spec").join(HISTORY_FILE)),
            supported_from: None,
            crate_version: CRATE_VERSION.into(),
            package: Package::default(),
            strict: true,
        }
    }

    /// The job `cargo xtask regen` is asked for by its arguments.
    pub fn parse(rest: &[String]) -> Result<Job, String> {
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
            &["--all-tags", "--no-history", "--no-publish", "--strict"],
        )?;
        let mut job = Job::default_job();
        if let Some(spec) = args.value("--spec")? {
            job.spec = absolute(spec);
            // Another document's history is not the pinned one's, and an operation it has
            // that cannot be built is skipped unless asked otherwise.
            job.history = None;
            job.strict = false;
            job.crate_name = client_name(&job.spec);
        }
        job.strict |= args.switch("--strict");
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
            unpublished: args.switch("--no-publish"),
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
            let ident = name.replace('-', "_");
            if airflow_codegen::ir::is_keyword(&ident)
                || ident.starts_with(|c: char| c.is_ascii_digit())
            {
                return Err(format!(
                    "`{name}` cannot name a crate: code that uses it would write `{ident}::`, \
                     which Rust reads as a keyword or a number"
                ));
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
            strict: self.strict,
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

/// Another document's crate, unless `--crate-name` says otherwise: named for its file
/// (`stripe.yaml` → `stripe-client`), not for Airflow's.
fn client_name(spec: &Path) -> String {
    let stem = spec.file_stem().unwrap_or_default().to_string_lossy();
    let words = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut words: Vec<String> = words.map(str::to_ascii_lowercase).collect();
    if words
        .first()
        .is_none_or(|w| w.starts_with(|c: char| c.is_ascii_digit()))
    {
        words.insert(0, "api".into());
    }
    if words.last().is_none_or(|w| w != "client") {
        words.push("client".into());
    }
    words.join("-")
}

#[cfg(test)]
mod tests {
    use super::{client_name, Job};
    use std::path::Path;

    fn crate_name(name: &str) -> Result<String, String> {
        let args = ["--crate-name".to_string(), name.to_string()];
        Job::parse(&args).map(|job| job.crate_name)
    }

    #[test]
    fn a_crate_name_code_could_not_write_is_refused() {
        assert_eq!(crate_name("my-client").unwrap(), "my-client");
        for bad in ["box", "self", "2fa", "a b", ""] {
            assert!(crate_name(bad).is_err(), "`{bad}` was taken");
        }
    }

    #[test]
    fn another_document_names_its_crate_for_its_file() {
        let name = |file: &str| client_name(Path::new(file));
        assert_eq!(name("/docs/stripe.yaml"), "stripe-client");
        assert_eq!(name("Jira Cloud v3.json"), "jira-cloud-v3-client");
        assert_eq!(name("my_client.yml"), "my-client");
        assert_eq!(name("3scale.json"), "api-3scale-client");
        let args = ["--spec".to_string(), "/docs/box-openapi.json".to_string()];
        assert_eq!(Job::parse(&args).unwrap().crate_name, "box-openapi-client");
    }
}
