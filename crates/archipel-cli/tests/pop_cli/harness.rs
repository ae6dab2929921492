//! A popd on the fake runtime, in this process, and the CLI run against it.

use std::process::Output;
use std::sync::Arc;

use archipel_pop::auth::User;
use archipel_pop::runtime::fake::FakeRuntime;
use archipel_pop::{PopdConfig, PopdHandle};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_archipel");
pub const AUTH: &str = "admin:secret";
pub const IMAGE: &str = "alpine:latest";
/// The default network's subnet; the fake runtime touches no kernel, so any one does.
pub const SUBNET: &str = "10.250.0.0/24";

/// Dropping it stops popd and removes its data.
pub struct Popd {
    pub fake: Arc<FakeRuntime>,
    pub endpoint: String,
    _handle: PopdHandle,
    _dir: TempDir,
}

impl Popd {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("popd data dir");
        let (user, password) = AUTH.split_once(':').unwrap();
        let config = PopdConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_owned(),
            users: vec![User::with_password(user, password).expect("hash")],
            name: "site-t".into(),
            default_subnet: SUBNET.parse().unwrap(),
            ..PopdConfig::default()
        };
        let fake = Arc::new(FakeRuntime::new());
        let handle = archipel_pop::start(config, fake.clone()).await.expect("start popd");
        let endpoint = format!("http://{}", handle.local_addr());
        Popd { fake, endpoint, _handle: handle, _dir: dir }
    }

    /// The `archipel` command aimed at this popd, logged in as admin.
    pub fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.env("POP_ENDPOINT", &self.endpoint).env("POP_AUTH", AUTH).env_remove("RUST_LOG");
        cmd
    }

    /// `archipel pop ARGS`.
    pub async fn pop(&self, args: &[&str]) -> Output {
        self.command().arg("pop").args(args).output().await.expect("run archipel")
    }

    /// `archipel pop ARGS` that must succeed; its stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.pop(args).await;
        assert!(out.status.success(), "archipel pop {args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// `archipel pop --output json ARGS` that must succeed, parsed.
    pub async fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(&[&["--output", "json"], args].concat()).await;
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
