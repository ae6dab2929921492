//! A workload's output: its log file and the one rotated before it, whole or their last lines,
//! at most a reply's worth; and the rotation that caps them.
//!
//! The workload appends to its log itself (popd is not in the way of its output), so the log
//! is rotated by copy and truncate: the last part of the log is copied to `output.log.1` and
//! the log truncated, which an appending writer follows. What the workload writes between the
//! two steps is lost, as with logrotate's `copytruncate`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::runtime::LogOutput;

const BLOCK: usize = 64 * 1024;

/// The rotated log beside `log`.
pub(super) fn rotated(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// Rotates `log` once it holds more than `cap` bytes: its last `cap` bytes replace the rotated
/// log, and it is truncated. Returns whether it rotated.
pub(super) fn rotate_if_over(log: &Path, cap: u64) -> io::Result<bool> {
    let mut file = match File::options().read(true).write(true).open(log) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len <= cap {
        return Ok(false);
    }
    let old = rotated(log);
    let mut copy = File::create(&old)?;
    file.seek(SeekFrom::Start(len - cap))?;
    io::copy(&mut (&mut file).take(cap), &mut copy)?;
    copy.flush()?;
    file.set_len(0)?;
    Ok(true)
}

/// The output of the log at `log` (its rotated part first), or its last `lines` lines (a last
/// line without a newline counts), at most its last `max_bytes` bytes (`truncated` then says
/// so); absent files are empty. Reads backwards from the end, each byte at most once, and stops
/// at the first block after `cancel` is set.
pub(super) fn tail(
    log: &Path,
    lines: Option<u32>,
    max_bytes: usize,
    cancel: &AtomicBool,
) -> io::Result<LogOutput> {
    let mut segments = Vec::new();
    for path in [log.to_owned(), rotated(log)] {
        match File::open(&path) {
            Ok(file) => segments.push(file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    tail_of(segments, lines, max_bytes, cancel)
}

/// [`tail`] over `segments`, newest first.
fn tail_of<R: Read + Seek>(
    segments: Vec<R>,
    lines: Option<u32>,
    max_bytes: usize,
    cancel: &AtomicBool,
) -> io::Result<LogOutput> {
    let wanted = lines.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let mut found = Backwards { blocks: Vec::new(), kept: 0, newlines: 0, at_end: true };
    for mut segment in segments {
        let mut pos = segment.seek(SeekFrom::End(0))?;
        while pos > 0 {
            if cancel.load(Ordering::Relaxed) {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "the caller went away"));
            }
            let len = usize::try_from(pos).map_or(BLOCK, |p| p.min(BLOCK));
            pos -= len as u64;
            segment.seek(SeekFrom::Start(pos))?;
            let mut block = vec![0; len];
            segment.read_exact(&mut block)?;
            if let Some(done) = found.take(block, wanted, max_bytes) {
                return Ok(bounded(done, max_bytes));
            }
        }
    }
    Ok(found.finish(false))
}

/// Blocks read from the end, newest first, and what they hold.
struct Backwards {
    blocks: Vec<Vec<u8>>,
    kept: usize,
    newlines: usize,
    /// No byte read yet: a newline there ends the last line rather than starting another.
    at_end: bool,
}

impl Backwards {
    /// Takes the block that precedes those read; the answer once it is complete.
    fn take(&mut self, mut block: Vec<u8>, wanted: Option<usize>, max: usize) -> Option<LogOutput> {
        if let Some(n) = wanted {
            if n == 0 {
                return Some(self.finish(false));
            }
            let skip_last = std::mem::take(&mut self.at_end) && block.last() == Some(&b'\n');
            let body = if skip_last { &block[..block.len() - 1] } else { &block[..] };
            for i in (0..body.len()).rev() {
                if body[i] == b'\n' {
                    self.newlines += 1;
                    if self.newlines == n {
                        block.drain(..=i);
                        return Some(self.push_and_finish(block, max));
                    }
                }
            }
        }
        self.kept += block.len();
        self.blocks.push(block);
        (self.kept > max).then(|| self.finish(true))
    }

    fn push_and_finish(&mut self, block: Vec<u8>, max: usize) -> LogOutput {
        self.kept += block.len();
        self.blocks.push(block);
        let over = self.kept > max;
        self.finish(over)
    }

    /// The blocks in order, cut to their last `max` bytes when `over`.
    fn finish(&mut self, over: bool) -> LogOutput {
        let mut output = Vec::with_capacity(self.kept);
        for block in self.blocks.drain(..).rev() {
            output.extend_from_slice(&block);
        }
        LogOutput { output, truncated: over }
    }
}

/// Cuts `out` to its last `max` bytes; the answer says whether anything was cut.
fn bounded(mut out: LogOutput, max: usize) -> LogOutput {
    if out.output.len() > max {
        out.output.drain(..out.output.len() - max);
        out.truncated = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Cursor;

    use super::*;

    const ALL: usize = usize::MAX;

    fn tail_str(text: &str, lines: Option<u32>, max: usize) -> (String, bool) {
        let none = AtomicBool::new(false);
        let out = tail_of(vec![Cursor::new(text.as_bytes())], lines, max, &none).unwrap();
        (String::from_utf8(out.output).unwrap(), out.truncated)
    }

    #[test]
    fn returns_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let none = AtomicBool::new(false);
        assert!(tail(&path, Some(3), ALL, &none).unwrap().output.is_empty());
        let text: String = (0..50000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(tail_str(&text, None, ALL), (text.clone(), false));
        assert_eq!(tail_str(&text, Some(2), ALL).0, "line 49998\nline 49999\n");
        assert_eq!(tail_str(&text, Some(0), ALL).0, "");
        assert_eq!(tail_str(&text, Some(100_000), ALL), (text.clone(), false));
        assert!(tail_str(&text, Some(30000), ALL).0.starts_with("line 20000\n"));
        assert_eq!(tail_str("a\nb\nunfinished", Some(2), ALL).0, "b\nunfinished");
        assert_eq!(tail_str("\n\n\n", Some(2), ALL).0, "\n\n");
    }

    #[test]
    fn answers_at_most_max_bytes_and_says_so() {
        let one_line = "x".repeat(300_000) + "END";
        let (out, truncated) = tail_str(&one_line, Some(1), 1000);
        assert!(truncated);
        assert_eq!(out.len(), 1000);
        assert!(out.ends_with("xEND"));
        assert_eq!(tail_str(&one_line, None, 10), ("xxxxxxxEND".into(), true));
        assert_eq!(tail_str("a\nb\n", Some(1), 10), ("b\n".into(), false));
    }

    /// A reader that counts the bytes read: a tail costs its answer, not the log.
    struct Counting<'a>(Cursor<&'a [u8]>, &'a std::cell::Cell<usize>);
    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n);
            Ok(n)
        }
    }
    impl Seek for Counting<'_> {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.0.seek(pos)
        }
    }

    #[test]
    fn reads_only_the_tail_and_stops_when_cancelled() {
        let big = "y".repeat(20 * 1024 * 1024);
        let read = std::cell::Cell::new(0);
        let none = AtomicBool::new(false);
        let segment = Counting(Cursor::new(big.as_bytes()), &read);
        let out = tail_of(vec![segment], Some(1), 1024 * 1024, &none).unwrap();
        assert!(out.truncated);
        assert!(read.get() <= 1024 * 1024 + BLOCK, "read {} bytes", read.get());

        let gone = AtomicBool::new(true);
        let segment = Counting(Cursor::new(big.as_bytes()), &read);
        let err = tail_of(vec![segment], None, ALL, &gone).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
    }

    #[test]
    fn rotates_over_the_cap_and_tails_across_the_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("output.log");
        fs::write(&log, "1\n2\n3\n").unwrap();
        assert!(!rotate_if_over(&log, 100).unwrap());
        fs::write(&log, "old-1\nold-2\nold-3\n").unwrap();
        assert!(rotate_if_over(&log, 12).unwrap());
        assert_eq!(fs::read_to_string(rotated(&log)).unwrap(), "old-2\nold-3\n");
        assert_eq!(fs::metadata(&log).unwrap().len(), 0);
        let mut writer = File::options().append(true).open(&log).unwrap();
        writer.write_all(b"new-1\nnew-2\n").unwrap();
        let none = AtomicBool::new(false);
        let all = tail(&log, None, ALL, &none).unwrap();
        assert_eq!(all.output, b"old-2\nold-3\nnew-1\nnew-2\n");
        let three = tail(&log, Some(3), ALL, &none).unwrap();
        assert_eq!(three.output, b"old-3\nnew-1\nnew-2\n");
    }
}
