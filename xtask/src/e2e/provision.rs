//! The Python virtualenvs holding Airflow, one per release, cached under
//! `target/e2e/<version>/venv` between runs.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use super::home::Home;
use super::logs::tail;
use super::venv::Venv;

/// The releases the suite runs against by default, newest first: the one the client is
/// generated from and the newest patch of each older minor.
pub const RELEASES: &[&str] = &["3.3.2", "3.2.2", "3.1.8", "3.0.6"];

/// The first release with Human-in-the-loop (`HITLOperator` and the `hitlDetails` endpoints).
pub const FIRST_WITH_HITL: (u32, u32, u32) = (3, 1, 0);

/// The operator the Human-in-the-loop Dag needs; the full `apache-airflow` package brings it
/// with the standard provider.
const HITL_IMPORT: &str = "from airflow.providers.standard.operators.hitl import HITLOperator";

/// The file in a venv that records what was asked of pip, so a changed pin rebuilds the venv.
const REQUIREMENTS: &str = "e2e-requirements.txt";

/// An Airflow release and what `pip install` needs to get a working one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    parsed: (u32, u32, u32),
}

impl Release {
    /// `MAJOR.MINOR.PATCH` of an Airflow 3 release.
    pub fn parse(version: &str) -> Result<Release, String> {
        let parsed = parse_version(version)
            .filter(|(major, _, _)| *major == 3)
            .ok_or_else(|| {
                format!("`{version}` is not an Airflow 3 release (MAJOR.MINOR.PATCH)")
            })?;
        Ok(Release {
            version: version.to_string(),
            parsed,
        })
    }

    pub fn has_hitl(&self) -> bool {
        self.parsed >= FIRST_WITH_HITL
    }

    /// What `pip install` gets: the release itself, plus the pins that release needs.
    pub fn requirements(&self) -> Vec<String> {
        let mut requirements = vec![format!("apache-airflow=={}", self.version)];
        requirements.extend(pins(&self.version).iter().map(|p| p.to_string()));
        requirements
    }
}

/// Pins beside `apache-airflow==X` for releases whose resolved providers break the suite.
/// Without the official constraints files pip takes the newest provider that declares itself
/// compatible, which is not always one that works.
const PINS: &[(&str, &[&str])] = &[
    (
        "3.0.6",
        &[
            // PyJWT 2.11 and later refuse to encode a non-string `iss`, and 3.0.6 signs every
            // token with `iss: []` when `[api_auth] jwt_issuer` is unset: `POST /auth/token`
            // answers 500 ("Issuer (iss) must be a string."). 2.10.1 is the last before that.
            "pyjwt==2.10.1",
            // 3.0.6 puts no upper bound on FastAPI or Cadwyn; with the newest (FastAPI 0.165,
            // Cadwyn 9) the Execution API rejects every task runner's `PATCH .../run` with 422
            // ("Input should be a valid dictionary"), so no task ever runs. These are the
            // versions 3.1.8 resolves to (it caps FastAPI below 0.118).
            "fastapi==0.117.1",
            "cadwyn==5.4.6",
        ],
    ),
    (
        "3.2.2",
        &[
            // 3.2.2 puts no upper bound on FastAPI; with the newest (0.165, and Cadwyn 9)
            // building the Execution API fails ("Model 'TITerminalStatePayload' needs a
            // discriminator field"), so the dag-processor exits. These are the versions 3.3.2
            // resolves to (it caps FastAPI below 0.137).
            "fastapi==0.136.3",
            "cadwyn==7.0.0",
        ],
    ),
];

fn pins(version: &str) -> &'static [&'static str] {
    PINS.iter()
        .find(|(release, _)| *release == version)
        .map_or(&[], |(_, pins)| pins)
}

/// `MAJOR.MINOR.PATCH` as numbers.
pub fn parse_version(version: &str) -> Option<(u32, u32, u32)> {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let parsed = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(parsed)
}

/// Reuses the virtualenv at `dir` when its `airflow version` says the release's and it was
/// installed with the same requirements, else builds it afresh. `airflow version` runs in
/// `home` because it writes an `airflow.cfg` into `AIRFLOW_HOME`, which must not be the user's.
pub fn ensure(release: &Release, dir: &Path, home: &Home) -> Result<Venv, String> {
    let venv = Venv {
        dir: dir.to_path_buf(),
    };
    let requirements = release.requirements().join("\n") + "\n";
    let recorded = fs::read_to_string(dir.join(REQUIREMENTS)).ok();
    if venv.airflow().exists()
        && recorded.as_deref() == Some(requirements.as_str())
        && installed_version(&venv, home).as_deref() == Some(release.version.as_str())
    {
        println!(
            "e2e: reusing Airflow {} in {}",
            release.version,
            dir.display()
        );
        return Ok(venv);
    }
    install(&venv, release)?;
    match installed_version(&venv, home) {
        Some(v) if v == release.version => {}
        other => {
            return Err(format!(
                "after installing, `airflow version` says {other:?}, not {}",
                release.version
            ))
        }
    }
    // A release with Human-in-the-loop must have a working operator: the Dag that uses it
    // skips itself where the import fails, which would quietly drop the tests.
    if release.has_hitl() {
        check_hitl(&venv)?;
    }
    let record = dir.join(REQUIREMENTS);
    fs::write(&record, requirements).map_err(|e| format!("writing {}: {e}", record.display()))?;
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

/// A fresh virtualenv with `pip install` of the release's requirements; pip's chatter goes
/// to `pip-install.log` beside the venv and its tail is shown on failure.
fn install(venv: &Venv, release: &Release) -> Result<(), String> {
    let started = std::time::Instant::now();
    let requirements = release.requirements();
    println!(
        "e2e: installing {} into {} (about a minute)",
        requirements.join(" "),
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
    // One log per install: the previous one would only mislead.
    fs::write(&log, "").map_err(|e| format!("emptying {}: {e}", log.display()))?;
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
            .args(&requirements),
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

/// The interpreter that creates the venv: `$PYTHON`, else `python3` (as `fetch-spec` does).
fn system_python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_airflow_3_versions() {
        assert_eq!(parse_version("3.1.8"), Some((3, 1, 8)));
        assert_eq!(parse_version("3.1"), None);
        assert_eq!(parse_version("3.1.8.1"), None);
        assert!(Release::parse("2.11.0").is_err());
        assert!(Release::parse("3.x.0").is_err());
        for version in RELEASES {
            assert!(Release::parse(version).is_ok(), "{version}");
        }
    }

    #[test]
    fn hitl_arrived_in_3_1() {
        assert!(Release::parse("3.3.2").unwrap().has_hitl());
        assert!(Release::parse("3.1.0").unwrap().has_hitl());
        assert!(!Release::parse("3.0.6").unwrap().has_hitl());
    }

    #[test]
    fn requirements_are_the_release_then_its_pins() {
        assert_eq!(
            Release::parse("3.3.2").unwrap().requirements(),
            ["apache-airflow==3.3.2"]
        );
        let old = Release::parse("3.0.6").unwrap().requirements();
        assert_eq!(old[0], "apache-airflow==3.0.6");
        assert!(old[1..].iter().all(|pin| pin.contains("==")), "{old:?}");
    }
}
