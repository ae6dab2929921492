//! Packet captures for the tests that check what crosses the lab's networks.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::text;

/// `tcpdump -i any FILTER` in a namespace (the host's when none), writing every packet whole to
/// a file.
pub struct Capture {
    child: Child,
    file: PathBuf,
}

impl Capture {
    pub fn start(netns: Option<&str>, file: PathBuf, filter: &str) -> Self {
        let mut cmd = match netns {
            Some(ns) => {
                let mut cmd = Command::new("ip");
                cmd.args(["netns", "exec", ns, "tcpdump"]);
                cmd
            }
            None => Command::new("tcpdump"),
        };
        let mut child = cmd
            // Immediate mode: without it, packets wait in the kernel's ring for a block to
            // fill, and those still there at the stop never reach the file.
            .args(["-i", "any", "--immediate-mode", "-B", "32768", "-U", "-s", "0", "-n", "-w"])
            .arg(&file)
            .arg(filter)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tcpdump (apt-get install tcpdump)");
        // tcpdump says "listening on any" once it captures.
        let stderr = child.stderr.as_mut().unwrap();
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut byte = [0u8; 1];
        while !String::from_utf8_lossy(&seen).contains("listening on") {
            assert!(Instant::now() < deadline, "tcpdump did not start: {}", text(&seen));
            let n = std::io::Read::read(stderr, &mut byte).expect("read tcpdump's stderr");
            assert!(n > 0, "tcpdump exited: {}", text(&seen));
            seen.push(byte[0]);
        }
        Capture { child, file }
    }

    /// Stops the capture (SIGTERM: tcpdump flushes its file) and returns what it holds.
    /// tcpdump drops what it has not read from the kernel's ring when it is stopped, and on a
    /// loaded machine it lags: the stop waits until the file has stopped growing.
    pub fn stop(mut self) -> Vec<u8> {
        let size = |file: &PathBuf| std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut last, mut quiet_since) = (size(&self.file), Instant::now());
        while Instant::now() < deadline && quiet_since.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(50));
            let now = size(&self.file);
            if now != last {
                (last, quiet_since) = (now, Instant::now());
            }
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
        let mut stats = String::new();
        if let Some(stderr) = self.child.stderr.as_mut() {
            let _ = std::io::Read::read_to_string(stderr, &mut stats);
        }
        println!("{}: {}", self.file.display(), stats.trim().replace('\n', "; "));
        std::fs::read(&self.file).expect("read the capture")
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `bytes` hold `secret` anywhere.
pub fn holds(bytes: &[u8], secret: &str) -> bool {
    bytes.windows(secret.len()).any(|w| w == secret.as_bytes())
}
