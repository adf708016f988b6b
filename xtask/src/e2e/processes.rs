//! Starting the four Airflow services and, whatever happens, stopping exactly them.
//!
//! Each service starts in a process group of its own (`process_group(0)`), so the terminal's
//! Ctrl-C does not reach it and one signal reaches all its forked workers. Stopping signals
//! those groups plus the groups Airflow's task runners create below them, then checks that no
//! process of any of those groups is left. Stopping happens on the normal path, in `Drop` (an
//! error or a panic) and in the Ctrl-C/SIGTERM handler.

use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Child;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::home::Home;
use super::logs::tail;
use super::proctable;
use super::venv::Venv;

/// The services and their arguments. Serve-logs (a log server on 0.0.0.0) is skipped: the
/// API server reads the task logs straight from `AIRFLOW_HOME/logs`.
const SERVICES: &[(&str, &[&str])] = &[
    ("api-server", &["api-server"]),
    ("scheduler", &["scheduler", "--skip-serve-logs"]),
    ("dag-processor", &["dag-processor"]),
    ("triggerer", &["triggerer", "--skip-serve-logs"]),
];

/// How long the services get to shut down after SIGTERM (the triggerer takes ~10 s).
const GRACE: Duration = Duration::from_secs(30);
/// How long SIGKILL may take to show.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// The process groups this run started, shared with the signal handler. Whoever stops them
/// holds the lock throughout, so the other party waits instead of exiting mid-stop.
static STARTED: Mutex<Vec<Group>> = Mutex::new(Vec::new());

#[derive(Debug, Clone)]
struct Group {
    name: &'static str,
    pgid: i32,
}

struct Service {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

/// The running services; dropping this stops them.
pub struct Services {
    services: Vec<Service>,
    stopped: bool,
}

impl Services {
    pub fn start(home: &Home, venv: &Venv) -> Result<Services, String> {
        install_signal_handler()?;
        let mut services = Services {
            services: Vec::new(),
            stopped: false,
        };
        for (name, args) in SERVICES {
            services.services.push(spawn(home, venv, name, args)?);
        }
        Ok(services)
    }

    /// An error naming the first service that has exited, with the end of its log.
    pub fn check_running(&mut self) -> Result<(), String> {
        for service in &mut self.services {
            if let Ok(Some(status)) = service.child.try_wait() {
                return Err(format!(
                    "airflow {} exited ({status}); the end of {}:\n{}",
                    service.name,
                    service.log.display(),
                    tail(&service.log, 30)
                ));
            }
        }
        Ok(())
    }

    /// Stops every service and reports anything left behind.
    pub fn stop(mut self) -> Result<(), String> {
        self.stopped = true;
        self.stop_all()
    }

    fn stop_all(&mut self) -> Result<(), String> {
        let result = stop_registered();
        // The leaders are our children: reap the ones that exited so no zombie outlives us.
        for service in &mut self.services {
            let _ = service.child.try_wait();
        }
        result
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        if !self.stopped {
            if let Err(e) = self.stop_all() {
                eprintln!("error: {e}");
            }
        }
    }
}

fn spawn(home: &Home, venv: &Venv, name: &'static str, args: &[&str]) -> Result<Service, String> {
    let log = home.dir.join(format!("{name}.log"));
    let out = File::create(&log).map_err(|e| format!("creating {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = home
        .airflow(venv)
        .args(args)
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("starting airflow {name}: {e}"))?;
    let pgid = i32::try_from(child.id())
        .map_err(|_| format!("airflow {name} has pid {} out of range", child.id()))?;
    started().push(Group { name, pgid });
    println!(
        "e2e: started airflow {name} (pid {pgid}, log {})",
        log.display()
    );
    Ok(Service { name, child, log })
}

fn started() -> MutexGuard<'static, Vec<Group>> {
    STARTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the handler once per process (every release's services start through here, and
/// ctrlc refuses a second handler); it stops whatever is registered when the signal comes.
fn install_signal_handler() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            ctrlc::set_handler(|| {
                eprintln!("\ne2e: interrupted, stopping the Airflow services");
                // The lock is held until the process exits: the main thread, seeing its
                // services go, waits in `stop` instead of reporting them as crashed.
                let mut guard = started();
                if let Err(e) = stop_groups(&mut guard) {
                    eprintln!("error: {e}");
                }
                std::process::exit(130);
            })
            .map_err(|e| format!("installing the Ctrl-C handler: {e}"))
        })
        .clone()
}

/// Stops the registered groups (once: the list is emptied under the lock).
fn stop_registered() -> Result<(), String> {
    stop_groups(&mut started())
}

fn stop_groups(registered: &mut Vec<Group>) -> Result<(), String> {
    let groups = std::mem::take(registered);
    if groups.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = groups.iter().map(|g| g.name).collect();
    let leaders: Vec<i32> = groups.iter().map(|g| g.pgid).collect();
    let started = Instant::now();
    let result = terminate(&leaders);
    if result.is_ok() {
        println!(
            "e2e: stopped {} in {:.1?}; no process of theirs is left",
            names.join(", "),
            started.elapsed()
        );
    }
    result
}

/// SIGTERM to every group we own, SIGKILL to what is still there after [`GRACE`], then a
/// final look for survivors.
fn terminate(leaders: &[i32]) -> Result<(), String> {
    let mut owned = proctable::owned_groups(&proctable::snapshot(), leaders);
    signal(&owned, libc::SIGTERM);
    if wait_until_gone(&owned, GRACE) {
        return Ok(());
    }
    // Task runners may have started meanwhile; their groups hang below the same leaders.
    owned.extend(proctable::owned_groups(&proctable::snapshot(), leaders));
    let stubborn = describe(&proctable::alive_in(&proctable::snapshot(), &owned));
    eprintln!("e2e: still running {GRACE:?} after SIGTERM, sending SIGKILL:\n{stubborn}");
    signal(&owned, libc::SIGKILL);
    if wait_until_gone(&owned, KILL_WAIT) {
        return Ok(());
    }
    let left = describe(&proctable::alive_in(&proctable::snapshot(), &owned));
    Err(format!(
        "these processes of the Airflow services survived SIGKILL:\n{left}"
    ))
}

/// Sends `sig` to each group, never to our own group or to init's.
fn signal(groups: &BTreeSet<i32>, sig: libc::c_int) {
    // SAFETY: getpgrp has no preconditions and cannot fail.
    let ours = unsafe { libc::getpgrp() };
    for &pgid in groups.iter().filter(|&&g| g > 1 && g != ours) {
        // SAFETY: kill only sends a signal; a negative pid addresses the process group. A group
        // that is already gone yields ESRCH, which is what we want anyway.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }
}

fn wait_until_gone(groups: &BTreeSet<i32>, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if proctable::alive_in(&proctable::snapshot(), groups).is_empty() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(200));
    }
}

fn describe(procs: &[proctable::Proc]) -> String {
    procs
        .iter()
        .map(|p| format!("  pid {} (group {}): {}", p.pid, p.pgid, p.command))
        .collect::<Vec<_>>()
        .join("\n")
}
