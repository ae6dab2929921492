//! The ready line: once a daemon listens it prints `listening on ADDR` on its standard output,
//! and whoever started it (the lab, the tests, the benchmarks) waits for that line to learn the
//! address (port 0 picks a free one). One writer and one parser, so the two cannot drift.

use std::io::Write;
use std::net::SocketAddr;

const PREFIX: &str = "listening on ";

/// Prints the ready line and flushes it, so a reader on a pipe sees it at once.
pub fn announce(addr: SocketAddr) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{PREFIX}{addr}")?;
    out.flush()
}

/// The address of a ready line; None for any other line.
pub fn parse(line: &str) -> Option<&str> {
    line.trim_end().strip_prefix(PREFIX).map(str::trim)
}

/// The address of the first ready line in `text` (a log holding the daemon's output).
pub fn find(text: &str) -> Option<&str> {
    text.lines().find_map(parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_announce_writes() {
        assert_eq!(parse("listening on 127.0.0.1:4000\n"), Some("127.0.0.1:4000"));
        assert_eq!(parse("north token: x"), None);
        let log = "INFO starting\nlistening on [::1]:80\nlistening on 1.2.3.4:5\n";
        assert_eq!(find(log), Some("[::1]:80"));
        assert_eq!(find("nothing yet"), None);
    }
}
