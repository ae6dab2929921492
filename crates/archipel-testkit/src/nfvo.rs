use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

/// The first admin every NFVO under test gets (`NFVO_ADMIN`).
pub const NFVO_ADMIN: &str = "admin";

/// A real `archipel nfvo` process with its own data directory. Its Pop networks get subnets
/// from `subnet_pool` only, so that concurrent tests never ask a runtime for overlapping ones.
/// It starts with an admin whose password is random, logged in through `archipel login` into a
/// config directory of its own, which [`NfvoProcess::cli`] uses.
/// Dropping it kills the process; what it made at its sites is the sites' guards' to remove.
#[derive(Debug)]
pub struct NfvoProcess {
    child: Option<Child>,
    /// `http://ADDR` of the REST API.
    pub endpoint: String,
    pub data_dir: TempDir,
    /// The admin's password.
    pub admin_password: String,
    /// `XDG_CONFIG_HOME` of the CLI: where `archipel login` kept the admin's token.
    pub config_home: TempDir,
    bin: String,
    subnet_pool: String,
    /// The CA of `https://` sites (a lab's).
    ca: Option<PathBuf>,
    extra: Vec<String>,
}

impl NfvoProcess {
    /// Starts `bin nfvo` on a free loopback port, taking its subnets (/24s) from `subnet_pool`.
    pub fn start(bin: &str, subnet_pool: &str) -> Self {
        Self::start_full(bin, subnet_pool, None, &[])
    }

    /// The same with more flags for `archipel nfvo`.
    pub fn start_with(bin: &str, subnet_pool: &str, extra: &[&str]) -> Self {
        Self::start_full(bin, subnet_pool, None, extra)
    }

    /// As [`NfvoProcess::start`], reaching `https://` sites checked against `ca`. The NFVO
    /// itself serves plain text on loopback.
    pub fn start_reaching(bin: &str, subnet_pool: &str, ca: Option<&Path>) -> Self {
        Self::start_full(bin, subnet_pool, ca, &[])
    }

    fn start_full(bin: &str, subnet_pool: &str, ca: Option<&Path>, extra: &[&str]) -> Self {
        let mut p = Self {
            child: None,
            endpoint: String::new(),
            data_dir: tempfile::tempdir().expect("nfvo data dir"),
            admin_password: format!("pw-{}", crate::unique("admin")),
            config_home: tempfile::tempdir().expect("CLI config dir"),
            bin: bin.to_owned(),
            subnet_pool: subnet_pool.to_owned(),
            ca: ca.map(Path::to_owned),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        p.spawn();
        p
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["nfvo", "--listen", "127.0.0.1:0", "--subnet-pool", &self.subnet_pool])
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .arg("--insecure")
            .args(&self.extra)
            .env("NFVO_ADMIN", format!("{NFVO_ADMIN}:{}", self.admin_password));
        if let Some(ca) = &self.ca {
            cmd.arg("--ca").arg(ca);
        }
        let log = self.data_dir.path().join("nfvo.log");
        let (child, addr) = crate::daemon::spawn_listening(cmd, "nfvo", &log);
        self.endpoint = format!("http://{addr}");
        self.child = Some(child);
        self.login(NFVO_ADMIN, &self.admin_password.clone());
    }

    /// `archipel login --password-stdin` as `user` into this NFVO's CLI config directory.
    pub fn login(&self, user: &str, password: &str) {
        let mut child = self
            .cli()
            .env_remove("ARCHIPEL_TOKEN")
            .args(["login", "--user", user, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run archipel login");
        let mut stdin = child.stdin.take().expect("login's stdin");
        writeln!(stdin, "{password}").expect("write the password");
        drop(stdin);
        let out = child.wait_with_output().expect("archipel login");
        assert!(
            out.status.success(),
            "archipel login as {user} failed: {}\nnfvo log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }

    /// The token `archipel login` kept for this NFVO.
    pub fn token(&self) -> String {
        let path = self.config_home.path().join("archipel/credentials.json");
        let text = std::fs::read_to_string(&path).expect("the credentials file");
        let all: serde_json::Value = serde_json::from_str(&text).expect("credentials JSON");
        let entry = &all[format!("{}/", self.endpoint)];
        entry["token"].as_str().expect("a token for this NFVO").to_owned()
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

    /// The `archipel` command with `ARCHIPEL_ENDPOINT` naming this NFVO, logged in as the admin
    /// (its config directory).
    pub fn cli(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("ARCHIPEL_ENDPOINT", &self.endpoint)
            .env("XDG_CONFIG_HOME", self.config_home.path())
            .env_remove("ARCHIPEL_TOKEN")
            .env_remove("POP_AUTH");
        cmd
    }
}

impl Drop for NfvoProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}
