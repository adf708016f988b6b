//! What one `cargo xtask bench` run measured, the plan it followed and the machine it ran on.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{build, client, generator};

/// Iteration counts.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub quick: bool,
    pub ti_warmup: usize,
    pub ti_iterations: usize,
    pub all_warmup: usize,
    pub all_iterations: usize,
    pub build_repeat: usize,
}

impl Plan {
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                quick,
                ti_warmup: 1,
                ti_iterations: 3,
                all_warmup: 1,
                all_iterations: 2,
                build_repeat: 1,
            }
        } else {
            Plan {
                quick,
                ti_warmup: 3,
                ti_iterations: 20,
                all_warmup: 2,
                all_iterations: 10,
                build_repeat: 3,
            }
        }
    }
}

/// Where and on what the benchmarks ran.
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub rustc: String,
    pub os: String,
    pub date: String,
    pub load_start: String,
    pub load_end: String,
}

impl Machine {
    pub fn probe() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown (no /proc/cpuinfo)".into());
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let rustc = std::process::Command::new(&rustc)
            .arg("-V")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| format!("unknown (`{rustc} -V` failed)"));
        let os = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|r| format!("{} {}", std::env::consts::OS, r.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.to_string());
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            rustc,
            os,
            date: utc_now(),
            load_start: load_average(),
            load_end: String::new(),
        }
    }

    /// The 1-minute load average at the start, when it is known.
    pub fn busy(&self) -> Option<f64> {
        let start: f64 = self.load_start.split_whitespace().next()?.parse().ok()?;
        let end: f64 = self
            .load_end
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(start);
        let load = start.max(end);
        (load >= 0.5 * self.nproc as f64).then_some(load)
    }
}

/// The load averages `/proc/loadavg` reports (1, 5 and 15 minutes), or `unknown`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `YYYY-MM-DD HH:MM UTC`, from the system clock.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    utc(secs)
}

/// `YYYY-MM-DD HH:MM UTC` for seconds since 1970 (civil-from-days, proleptic Gregorian).
fn utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3_600,
        rem % 3_600 / 60
    )
}

/// Everything one run measured; `None` for what was not asked for.
pub struct Results {
    pub machine: Machine,
    pub plan: Plan,
    pub generator: Vec<generator::Report>,
    pub builds: Vec<build::Report>,
    pub client: client::Results,
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400 + 3_660), "2000-02-29 01:01 UTC");
        assert_eq!(utc(1_748_736_000 - 60), "2025-05-31 23:59 UTC");
        assert_eq!(utc(1_767_225_600), "2026-01-01 00:00 UTC");
    }
}
