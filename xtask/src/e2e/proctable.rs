//! A snapshot of the machine's processes, read from `/proc`, to find everything the Airflow
//! services started (Airflow's task runners move into process groups of their own, so the
//! services' groups alone do not cover them).

use std::collections::BTreeSet;
use std::fs;

#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: i32,
    pub ppid: i32,
    pub pgid: i32,
    /// A zombie has exited and only waits for its parent to reap it: it holds no resources.
    pub zombie: bool,
    pub command: String,
}

/// Every process visible in `/proc` now. Processes that exit while being read are skipped.
pub fn snapshot() -> Vec<Proc> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(read_proc)
        .collect()
}

fn read_proc(pid: i32) -> Option<Proc> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (ppid, pgid, zombie) = parse_stat(&stat)?;
    let command = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            String::from_utf8_lossy(&raw)
                .replace('\0', " ")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    Some(Proc {
        pid,
        ppid,
        pgid,
        zombie,
        command,
    })
}

/// `pid (comm) state ppid pgrp ...`; `comm` may itself hold spaces and parentheses, so the
/// fields are counted from the last `)`.
fn parse_stat(stat: &str) -> Option<(i32, i32, bool)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgid = fields.next()?.parse().ok()?;
    Some((ppid, pgid, state == "Z"))
}

/// The process groups that belong to `leaders`: their own groups, plus every group led by one
/// of their descendants (Airflow's task runners call `setpgid(0, 0)`). A group led by a process
/// we did not start is never included.
pub fn owned_groups(table: &[Proc], leaders: &[i32]) -> BTreeSet<i32> {
    let family = descendants(table, leaders);
    let mut groups: BTreeSet<i32> = leaders.iter().copied().collect();
    groups.extend(
        table
            .iter()
            .filter(|p| family.contains(&p.pid) && family.contains(&p.pgid))
            .map(|p| p.pgid),
    );
    groups
}

/// `roots` and everything below them.
pub fn descendants(table: &[Proc], roots: &[i32]) -> BTreeSet<i32> {
    let mut found: BTreeSet<i32> = roots.iter().copied().collect();
    loop {
        let before = found.len();
        for p in table {
            if found.contains(&p.ppid) {
                found.insert(p.pid);
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

/// Live (non-zombie) processes in any of `groups`.
pub fn alive_in(table: &[Proc], groups: &BTreeSet<i32>) -> Vec<Proc> {
    table
        .iter()
        .filter(|p| !p.zombie && groups.contains(&p.pgid))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proc(pid: i32, ppid: i32, pgid: i32) -> Proc {
        Proc {
            pid,
            ppid,
            pgid,
            zombie: false,
            command: String::new(),
        }
    }

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let stat = "4242 (airflow (sched) x) S 1 4242 4242 0 -1 4194560";
        assert_eq!(parse_stat(stat), Some((1, 4242, false)));
        assert_eq!(parse_stat("7 (py) Z 3 5 5"), Some((3, 5, true)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn groups_of_descendants_count_but_foreign_groups_do_not() {
        let table = vec![
            proc(1, 0, 1),
            proc(10, 1, 10),  // a service we started
            proc(11, 10, 10), // its worker
            proc(12, 11, 12), // a task runner in a group of its own
            proc(20, 1, 20),  // somebody else's process
            proc(13, 10, 20), // a descendant that joined a foreign group
        ];
        let groups = owned_groups(&table, &[10]);
        assert_eq!(groups.into_iter().collect::<Vec<_>>(), vec![10, 12]);
    }
}
