//! A workload's output: its log file, whole or its last lines.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

const BLOCK: u64 = 8192;

/// The file's content, or its last `lines` lines (a last line without a newline counts); an
/// absent file is empty. Reads backwards from the end, so a long log costs only its tail.
pub(super) fn tail(path: &Path, lines: Option<u32>) -> io::Result<Vec<u8>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let Some(lines) = lines else {
        let mut all = Vec::new();
        file.read_to_end(&mut all)?;
        return Ok(all);
    };
    let wanted = usize::try_from(lines).unwrap_or(usize::MAX);
    let mut pos = file.metadata()?.len();
    let mut buf: Vec<u8> = Vec::new();
    loop {
        if let Some(start) = start_of_last(&buf, wanted, pos == 0) {
            return Ok(buf.split_off(start));
        }
        let read = BLOCK.min(pos);
        pos -= read;
        file.seek(SeekFrom::Start(pos))?;
        let mut block = vec![0; usize::try_from(read).unwrap_or(0)];
        file.read_exact(&mut block)?;
        block.append(&mut buf);
        buf = block;
    }
}

/// Where the last `n` lines of `buf` start, if `buf` holds all of them (`complete`: `buf` is
/// the whole file).
fn start_of_last(buf: &[u8], n: usize, complete: bool) -> Option<usize> {
    if n == 0 {
        return Some(buf.len());
    }
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    let mut seen = 0;
    for (i, byte) in body.iter().enumerate().rev() {
        if *byte == b'\n' {
            seen += 1;
            if seen == n {
                return Some(i + 1);
            }
        }
    }
    complete.then_some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        assert!(tail(&path, Some(3)).unwrap().is_empty());
        let text: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, &text).unwrap();
        assert_eq!(tail(&path, None).unwrap(), text.as_bytes());
        assert_eq!(tail(&path, Some(2)).unwrap(), b"line 4998\nline 4999\n");
        assert_eq!(tail(&path, Some(0)).unwrap(), b"");
        assert_eq!(tail(&path, Some(100_000)).unwrap(), text.as_bytes());
        let many = tail(&path, Some(3000)).unwrap();
        assert!(many.starts_with(b"line 2000\n"));
        std::fs::write(&path, "a\nb\nunfinished").unwrap();
        assert_eq!(tail(&path, Some(2)).unwrap(), b"b\nunfinished");
    }
}
