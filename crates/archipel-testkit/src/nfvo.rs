use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use tempfile::TempDir;

/// A real `archipel nfvo` process with its own data directory. Its Pop networks get subnets
/// from `subnet_pool` only, so that concurrent tests never ask a runtime for overlapping ones.
/// Dropping it kills the process; what it made at its sites is the sites' guards' to remove.
#[derive(Debug)]
pub struct NfvoProcess {
    child: Option<Child>,
    /// `http://ADDR` of the REST API.
    pub endpoint: String,
    pub data_dir: TempDir,
    bin: String,
    subnet_pool: String,
    /// The CA of `https://` sites (a lab's).
    ca: Option<PathBuf>,
}

impl NfvoProcess {
    /// Starts `bin nfvo` on a free loopback port, taking its subnets (/24s) from `subnet_pool`.
    pub fn start(bin: &str, subnet_pool: &str) -> Self {
        Self::start_reaching(bin, subnet_pool, None)
    }

    /// As [`NfvoProcess::start`], reaching `https://` sites checked against `ca`. The NFVO
    /// itself serves plain text on loopback.
    pub fn start_reaching(bin: &str, subnet_pool: &str, ca: Option<&Path>) -> Self {
        let data_dir = tempfile::tempdir().expect("nfvo data dir");
        let mut p = Self {
            child: None,
            endpoint: String::new(),
            data_dir,
            bin: bin.to_owned(),
            subnet_pool: subnet_pool.to_owned(),
            ca: ca.map(Path::to_owned),
        };
        p.spawn();
        p
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["nfvo", "--listen", "127.0.0.1:0", "--subnet-pool", &self.subnet_pool])
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--insecure");
        if let Some(ca) = &self.ca {
            cmd.arg("--ca").arg(ca);
        }
        let log = self.data_dir.path().join("nfvo.log");
        let (child, addr) = crate::daemon::spawn_listening(cmd, "nfvo", &log);
        self.endpoint = format!("http://{addr}");
        self.child = Some(child);
    }

    /// The daemon's log (stderr) so far, across restarts.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("nfvo.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("nfvo runs").id()
    }

    /// `kill -9`: no chance to finish or undo anything, like a crash.
    pub fn kill9(&mut self) {
        crate::daemon::kill9(&mut self.child);
    }

    /// Starts the daemon again on the same data directory (a new port).
    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// The `archipel` command with `ARCHIPEL_ENDPOINT` naming this NFVO.
    pub fn cli(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("ARCHIPEL_ENDPOINT", &self.endpoint).env_remove("POP_AUTH");
        cmd
    }
}

impl Drop for NfvoProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}
