//! Processes as /proc shows them: whether a recorded process still runs, which processes live
//! in a network namespace, and signalling them.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::record::ProcessId;

/// State (field 3) and start time (field 22) of `/proc/PID/stat`.
fn stat(pid: u32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

fn parse_stat(text: &str) -> Option<(char, u64)> {
    // The command name (field 2) is in parentheses and may hold anything, parentheses too.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // `rest` starts at field 3; field 22 is 19 further.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some((state, start_time))
}

/// The start time of a running process (a zombie has ended).
pub(super) fn start_time(pid: u32) -> Option<u64> {
    stat(pid).filter(|(state, _)| *state != 'Z').map(|(_, start)| start)
}

/// The start time of a process, ended (a zombie) or not.
pub(super) fn any_start_time(pid: u32) -> Option<u64> {
    stat(pid).map(|(_, start)| start)
}

/// Whether the recorded process is still the one that runs under its pid.
pub(super) fn alive(process: ProcessId) -> bool {
    start_time(process.pid) == Some(process.start_time)
}

/// Every process in the network namespace mounted at `netns_file`, like `ip netns pids NAME`.
pub(super) fn netns_members(netns_file: &Path) -> Vec<u32> {
    let Ok(ns) = fs::metadata(netns_file) else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::metadata(format!("/proc/{pid}/ns/net"))
                .is_ok_and(|m| m.dev() == ns.dev() && m.ino() == ns.ino())
        })
        .collect()
}

/// Sends `signal` to the group the recorded process leads, if it still runs, and to every
/// process of the namespace (which catches those that left the group). Returns whether any
/// process was signalled.
pub(super) fn signal_all(leader: Option<ProcessId>, netns_file: &Path, signal: Signal) -> bool {
    let mut any = false;
    if let Some(leader) = leader.filter(|p| alive(*p)) {
        any |= killpg(pid(leader.pid), signal).is_ok();
    }
    for member in netns_members(netns_file) {
        any |= kill(pid(member), signal).is_ok();
    }
    any
}

fn pid(pid: u32) -> Pid {
    Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_state_and_start_time() {
        let line = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    987654 1000 100 18446744073709551615";
        assert_eq!(parse_stat(line), Some(('S', 987_654)));
        assert_eq!(parse_stat("1 (x) S 1"), None);
    }

    #[test]
    fn knows_this_process_and_not_a_reused_pid() {
        let me = std::process::id();
        let start = start_time(me).unwrap();
        assert!(alive(ProcessId { pid: me, start_time: start }));
        assert!(!alive(ProcessId { pid: me, start_time: start + 1 }));
    }

    #[test]
    fn finds_this_process_in_its_own_namespace() {
        assert!(netns_members(Path::new("/proc/self/ns/net")).contains(&std::process::id()));
        assert!(netns_members(Path::new("/nonexistent")).is_empty());
    }
}
