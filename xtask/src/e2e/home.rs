//! A fresh `AIRFLOW_HOME` for one run, and the environment every Airflow command gets.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::logs::tail;
use super::venv::Venv;

pub const USER: &str = "admin";
pub const PASSWORD: &str = "admin";

/// One run's Airflow: where it lives, which port its API server takes, and its settings.
pub struct Home {
    pub dir: PathBuf,
    pub port: u16,
    env: Vec<(String, String)>,
}

impl Home {
    /// Empties `dir` (the previous run's logs stay there until now, for post-mortems) and
    /// writes the passwords file.
    pub fn create(dir: &Path, dags: &Path, port: u16) -> Result<Home, String> {
        if dir.exists() {
            fs::remove_dir_all(dir)
                .map_err(|e| format!("removing the previous {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let passwords = dir.join("passwords.json");
        // The simple auth manager keeps {"user": "password"} here and only invents a password
        // for users missing from it, so ours is known in advance.
        fs::write(&passwords, format!("{{\"{USER}\": \"{PASSWORD}\"}}\n"))
            .map_err(|e| format!("writing {}: {e}", passwords.display()))?;
        let env = airflow_env(dir, dags, port, &passwords)?;
        Ok(Home {
            dir: dir.to_path_buf(),
            port,
            env,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An `airflow` command with this home's environment and nothing inherited from the
    /// caller's Airflow settings.
    pub fn airflow(&self, venv: &Venv) -> Command {
        let mut command = Command::new(venv.airflow());
        for (key, _) in std::env::vars() {
            if key.starts_with("AIRFLOW") {
                command.env_remove(key);
            }
        }
        let path = std::env::var("PATH").unwrap_or_default();
        command
            .envs(self.env.iter().cloned())
            .env("PATH", format!("{}:{path}", venv.bin().display()))
            .env("VIRTUAL_ENV", &venv.dir)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        command
    }

    /// `airflow db migrate`, with its output in `migrate.log`.
    pub fn migrate(&self, venv: &Venv) -> Result<(), String> {
        let log = self.dir.join("migrate.log");
        let file =
            fs::File::create(&log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let status = self
            .airflow(venv)
            .args(["db", "migrate"])
            .stdout(file)
            .stderr(err)
            .status()
            .map_err(|e| format!("starting airflow db migrate: {e}"))?;
        if status.success() {
            return Ok(());
        }
        Err(format!(
            "airflow db migrate failed ({status}); the end of {}:\n{}",
            log.display(),
            tail(&log, 30)
        ))
    }
}

/// The settings of one run. Each is here for a reason the tests depend on.
fn airflow_env(
    home: &Path,
    dags: &Path,
    port: u16,
    passwords: &Path,
) -> Result<Vec<(String, String)>, String> {
    let url = format!("http://127.0.0.1:{port}");
    let pairs = [
        ("AIRFLOW_HOME", home.display().to_string()),
        ("AIRFLOW__CORE__DAGS_FOLDER", dags.display().to_string()),
        ("AIRFLOW__CORE__LOAD_EXAMPLES", "False".into()),
        // LocalExecutor runs on SQLite in 3.x (2.x demanded the SequentialExecutor, which 3.0
        // removed); the scheduler serialises its writes, and a small parallelism keeps SQLite's
        // single writer and two cores from being swamped.
        (
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            format!("sqlite:///{}", home.join("airflow.db").display()),
        ),
        ("AIRFLOW__CORE__EXECUTOR", "LocalExecutor".into()),
        ("AIRFLOW__CORE__PARALLELISM", "8".into()),
        (
            "AIRFLOW__CORE__AUTH_MANAGER",
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager".into(),
        ),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
            format!("{USER}:admin"),
        ),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
            passwords.display().to_string(),
        ),
        ("AIRFLOW__API__HOST", "127.0.0.1".into()),
        ("AIRFLOW__API__PORT", port.to_string()),
        ("AIRFLOW__API__BASE_URL", url.clone()),
        ("AIRFLOW__API__WORKERS", "1".into()),
        // Task runners report to the Execution API inside the same api-server.
        (
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
            format!("{url}/execution/"),
        ),
        // Every component signs and checks tokens with these; left unset, each process would
        // invent its own and reject the others' tokens.
        ("AIRFLOW__API_AUTH__JWT_SECRET", random_hex(32)?),
        ("AIRFLOW__API__SECRET_KEY", random_hex(32)?),
        // Airflow's own HTTP calls (task runner → Execution API) must not go through a proxy.
        ("NO_PROXY", "127.0.0.1,localhost".into()),
        ("no_proxy", "127.0.0.1,localhost".into()),
    ];
    Ok(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
