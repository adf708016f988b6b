//! The Python virtualenv holding Airflow, cached under `target/e2e/venv` between runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::home::Home;

pub const AIRFLOW_VERSION: &str = "3.3.2";

/// The operator the Human-in-the-loop Dag needs; the full `apache-airflow` package brings it
/// with the standard provider.
const HITL_IMPORT: &str = "from airflow.providers.standard.operators.hitl import HITLOperator";

/// A virtualenv with `apache-airflow` installed.
pub struct Venv {
    pub dir: PathBuf,
}

impl Venv {
    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }

    pub fn airflow(&self) -> PathBuf {
        self.bin().join("airflow")
    }

    fn python(&self) -> PathBuf {
        self.bin().join("python")
    }
}

/// Reuses the virtualenv at `dir` when its `airflow version` says [`AIRFLOW_VERSION`], else
/// builds it afresh. `airflow version` runs in `home` because it writes an `airflow.cfg` into
/// `AIRFLOW_HOME`, which must not be the user's.
pub fn ensure(dir: &Path, home: &Home) -> Result<Venv, String> {
    let venv = Venv {
        dir: dir.to_path_buf(),
    };
    if venv.airflow().exists() && installed_version(&venv, home).as_deref() == Some(AIRFLOW_VERSION)
    {
        println!(
            "e2e: reusing Airflow {AIRFLOW_VERSION} in {}",
            dir.display()
        );
        return Ok(venv);
    }
    install(&venv)?;
    match installed_version(&venv, home) {
        Some(v) if v == AIRFLOW_VERSION => {}
        other => {
            return Err(format!(
                "after installing, `airflow version` says {other:?}, not {AIRFLOW_VERSION}"
            ))
        }
    }
    check_hitl(&venv)?;
    Ok(venv)
}

/// The last line `airflow version` prints (earlier lines can be warnings), or `None` when it fails.
fn installed_version(venv: &Venv, home: &Home) -> Option<String> {
    let out = home.airflow(venv).arg("version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// A fresh virtualenv with `pip install apache-airflow==VERSION`; pip's chatter goes to
/// `pip-install.log` beside the venv and its tail is shown on failure.
fn install(venv: &Venv) -> Result<(), String> {
    let started = std::time::Instant::now();
    println!(
        "e2e: installing apache-airflow=={AIRFLOW_VERSION} into {} (about a minute)",
        venv.dir.display()
    );
    if venv.dir.exists() {
        fs::remove_dir_all(&venv.dir)
            .map_err(|e| format!("removing the stale {}: {e}", venv.dir.display()))?;
    }
    let parent = venv
        .dir
        .parent()
        .ok_or("the venv needs a parent directory")?;
    fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    let log = parent.join("pip-install.log");
    run_logged(
        Command::new(system_python())
            .args(["-m", "venv"])
            .arg(&venv.dir),
        &log,
        "python -m venv",
    )?;
    run_logged(
        Command::new(venv.python())
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
            ])
            .arg(format!("apache-airflow=={AIRFLOW_VERSION}")),
        &log,
        "pip install apache-airflow",
    )?;
    println!("e2e: installed in {:.0?}", started.elapsed());
    Ok(())
}

fn check_hitl(venv: &Venv) -> Result<(), String> {
    let out = Command::new(venv.python())
        .args(["-c", HITL_IMPORT])
        .output()
        .map_err(|e| format!("running python: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "`{HITL_IMPORT}` fails in the venv:\n{}",
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Runs `command` with its output appended to `log`; on failure the error quotes the log's tail.
fn run_logged(command: &mut Command, log: &Path, what: &str) -> Result<(), String> {
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("opening {}: {e}", log.display()))?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let status = command
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("starting {what}: {e}"))?;
    if status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({status}); the end of {}:\n{}",
        log.display(),
        tail(log, 30)
    ))
}

/// The last `lines` lines of a text file, for error messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|e| format!("(cannot read {}: {e})", path.display()));
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The interpreter that creates the venv: `$PYTHON`, else `python3` (as `fetch-spec` does).
fn system_python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}
