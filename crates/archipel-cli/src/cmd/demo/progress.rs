//! What the demo shows as it goes: a line per step, ended with the step's duration, with the
//! step's own details (an operation's steps, say) indented under it as they happen.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::Instant;

/// Indentation of what is shown under a step.
const INDENT: &str = "    ";

/// The demo's output, on stdout, flushed at every line so that each shows when it happens.
#[derive(Debug, Default)]
pub struct Progress {
    /// Whether the last line written is a step's, still waiting for its duration.
    open: Mutex<bool>,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a step: `==> LABEL`, ended by [`Step::end`] with ` ... 1.8 s`.
    pub fn begin(&self, label: impl AsRef<str>) -> Step<'_> {
        self.write(&format!("==> {}", label.as_ref()), true);
        Step { progress: self, started: Instant::now(), ended: false }
    }

    /// A heading without a duration: `==> LABEL`.
    pub fn heading(&self, label: impl AsRef<str>) {
        self.write(&format!("==> {}\n", label.as_ref()), false);
    }

    /// A line under the last step.
    pub fn note(&self, line: impl AsRef<str>) {
        self.write(&format!("{INDENT}{}\n", line.as_ref()), false);
    }

    /// Lines under the last step (a table, say), each indented.
    pub fn block(&self, text: &str) {
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(INDENT);
            out.push_str(line.trim_end());
            out.push('\n');
        }
        self.write(&out, false);
    }

    /// Text as it is (a YAML or JSON document).
    pub fn raw(&self, text: &str) {
        self.write(text, false);
    }

    /// Writes `text`, first ending a step's line left open; `open` says whether `text` leaves
    /// one open. A closed stdout (`| head`) is not an error: the demo goes on.
    fn write(&self, text: &str, open: bool) {
        let mut was_open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let mut stdout = std::io::stdout().lock();
        if *was_open {
            let _ = stdout.write_all(b"\n");
        }
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
        *was_open = open;
    }

    /// Ends the step's line with `outcome` if nothing was written under it, else writes it on
    /// a line of its own.
    fn end_line(&self, outcome: &str) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let line =
            if *open { format!(" ... {outcome}\n") } else { format!("{INDENT}... {outcome}\n") };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(line.as_bytes());
        let _ = stdout.flush();
        *open = false;
    }
}

/// A step under way. Dropped without [`Step::end`] (the demo was interrupted), it says so.
#[derive(Debug)]
pub struct Step<'a> {
    progress: &'a Progress,
    started: Instant,
    ended: bool,
}

impl Step<'_> {
    /// A line under the step, prefixed with the time since it began.
    pub fn detail(&self, line: impl AsRef<str>) {
        let at = seconds(self.started.elapsed().as_secs_f64());
        self.progress.note(format!("  {at:>7}  {}", line.as_ref()));
    }

    /// Ends the step with its duration, or `failed after` it; hands `result` back.
    pub fn end<T>(mut self, result: anyhow::Result<T>) -> anyhow::Result<T> {
        self.ended = true;
        let took = seconds(self.started.elapsed().as_secs_f64());
        match &result {
            Ok(_) => self.progress.end_line(&took),
            Err(_) => self.progress.end_line(&format!("failed after {took}")),
        }
        result
    }
}

impl Drop for Step<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let took = seconds(self.started.elapsed().as_secs_f64());
            self.progress.end_line(&format!("interrupted after {took}"));
        }
    }
}

/// `1.8 s`, `0.04 s` under a tenth, `12 s` from ten on.
pub fn seconds(secs: f64) -> String {
    if secs < 0.1 {
        format!("{secs:.2} s")
    } else if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn durations_keep_two_significant_digits() {
        assert_eq!(seconds(0.042), "0.04 s");
        assert_eq!(seconds(1.83), "1.8 s");
        assert_eq!(seconds(12.4), "12 s");
    }
}
