//! Processes as /proc shows them.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// State (field 3) and start time (field 22) of `/proc/PID/stat`.
pub(super) fn stat(pid: u32) -> Option<(char, u64)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::native::host::{alive, start_time, SysHost};
    use crate::runtime::native::record::ProcessId;

    #[test]
    fn parses_state_and_start_time() {
        let line = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    987654 1000 100 18446744073709551615";
        assert_eq!(parse_stat(line), Some(('S', 987_654)));
        assert_eq!(parse_stat("1 (x) S 1"), None);
    }

    #[test]
    fn knows_this_process_and_not_a_reused_pid() {
        let host = SysHost::default();
        let me = std::process::id();
        let start = start_time(&host, me).unwrap();
        assert!(alive(&host, ProcessId { pid: me, start_time: start }));
        assert!(!alive(&host, ProcessId { pid: me, start_time: start + 1 }));
    }

    #[test]
    fn finds_this_process_in_its_own_namespace() {
        assert!(netns_members(Path::new("/proc/self/ns/net")).contains(&std::process::id()));
        assert!(netns_members(Path::new("/nonexistent")).is_empty());
    }
}
