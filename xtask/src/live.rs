//! `cargo xtask live`: a FastAPI app of the project's own (`tests/live/app.py`: discriminated
//! unions, nullable components, integer/number unions, enum lists in the query, a file upload,
//! a form and a `deepObject` form, a 204, a text answer, a JSON-or-XML answer, server-sent
//! events, HTTP basic credentials) driven by a client generated from its OpenAPI document. The
//! app runs from the end-to-end suite's Airflow venv (FastAPI, pydantic and uvicorn as Airflow
//! pins them) on 127.0.0.1, and is stopped by its pid when the tests end.
//!
//! Layout: `target/live/openapi.json` the app's document, `target/live/crate/` the client with
//! `tests/live/client.rs` as its test (run with the crate's own tests), `target/live/app.log`
//! what the app printed; builds share the real documents' target folder.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use airflow_codegen::{output, Selection};

use crate::job::Job;
use crate::{root, Args};

/// The Airflow release whose venv serves the app.
const AIRFLOW: &str = "3.3.2";

pub fn run(
    rest: &[String],
    python: impl FnOnce(&str) -> Result<PathBuf, String>,
) -> Result<(), String> {
    Args::new(rest).only(&[], &[])?;
    let python = python(AIRFLOW)?;
    let app = root().join("tests/live");
    let base = root().join("target/live");
    let dir = base.join("crate");
    fs::create_dir_all(&base).map_err(|e| format!("creating {}: {e}", base.display()))?;
    let spec = base.join("openapi.json");
    let status = Command::new(&python)
        .arg("app.py")
        .arg("--openapi")
        .arg(&spec)
        .current_dir(&app)
        .status()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !status.success() {
        return Err(format!("app.py --openapi failed ({status})"));
    }
    let job = Job {
        spec,
        out: dir.clone(),
        selection: Selection::All,
        crate_name: "live-app".into(),
        history: None,
        // Every operation of the app must be built.
        strict: true,
        ..Job::default_job()
    };
    let generated = job.run()?;
    let mut files = generated.files;
    let test = fs::read_to_string(app.join("client.rs")).map_err(|e| e.to_string())?;
    files.insert("tests/live.rs".into(), test);
    output::write_tree(&dir, &files).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))?
        .port();
    let log = base.join("app.log");
    let mut server = Server::start(&python, &app, port, &log)?;
    server.wait_ready(port, Duration::from_secs(60))?;
    let url = format!("http://127.0.0.1:{port}");
    let target = root().join("target/real-documents/target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        // The live tests, and the crate's own: the runtime's multipart, form and event unit tests.
        .arg("test")
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env("LIVE_URL", &url)
        .status()
        .map_err(|e| format!("running {cargo}: {e}"));
    drop(server);
    match status? {
        s if s.success() => Ok(()),
        s => Err(format!(
            "the live tests failed ({s}); the app's log is {}",
            log.display()
        )),
    }
}

/// The app's server process, stopped by its pid when dropped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn start(python: &Path, app: &Path, port: u16, log: &Path) -> Result<Server, String> {
        let out = fs::File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(python)
            .args(["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .current_dir(app)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("starting uvicorn: {e}"))?;
        println!("live: the app runs as pid {} on port {port}", child.id());
        Ok(Server {
            child,
            log: log.to_path_buf(),
        })
    }

    /// Until the port takes connections; an error when the process ends first or time runs out.
    fn wait_ready(&mut self, port: u16, within: Duration) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the app exited ({status}) before serving; see {}",
                    self.log.display()
                ));
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "the app did not serve within {} s; see {}",
            within.as_secs(),
            self.log.display()
        ))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // `Child::kill` signals exactly this pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
