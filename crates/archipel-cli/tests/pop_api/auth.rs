//! Every RPC except Login and Info answers UNAUTHENTICATED without a token or with a wrong one,
//! and lets a valid one through; a wrong user and a wrong password give the same answer; after
//! Logout the token is useless; the password is nowhere on disk in the clear; guesses sent in
//! parallel are throttled like guesses sent one by one, without slowing another user.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use archipel_proto::v1 as pb;
use archipel_proto::v1::pop_client::PopClient;
use archipel_testkit::PopdRuntime;
use tonic::transport::Channel;
use tonic::{Code, Status};

use crate::harness::{authed, by_name, config, Site, BIN};
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

crate::on_both_runtimes!(tokens_guard_every_rpc_but_login_and_info);

fn with<T>(token: Option<&str>, msg: T) -> tonic::Request<T> {
    match token {
        Some(t) => authed(t, msg),
        None => tonic::Request::new(msg),
    }
}

/// Every RPC but Login and Info, called with `token` (Logout last: it ends the session).
async fn every_rpc(
    c: &mut PopClient<Channel>,
    site: &Site,
    token: Option<&str>,
) -> Vec<(&'static str, Result<(), Status>)> {
    let f = || pb::Filter::default();
    let t = token;
    vec![
        ("Containers", c.containers(with(t, f())).await.map(|_| ())),
        ("Flavours", c.flavours(with(t, f())).await.map(|_| ())),
        ("Images", c.images(with(t, f())).await.map(|_| ())),
        ("Networks", c.networks(with(t, f())).await.map(|_| ())),
        (
            "Create",
            c.create(with(t, config(&site.name("x"), "no-such-image", &[]))).await.map(|_| ()),
        ),
        ("Delete", c.delete(with(t, by_name("x"))).await.map(|_| ())),
        ("Metadata", c.metadata(with(t, pb::NewMetadata::default())).await.map(|_| ())),
        ("Start", c.start(with(t, by_name("x"))).await.map(|_| ())),
        ("Stop", c.stop(with(t, by_name("x"))).await.map(|_| ())),
        (
            "CreateNetwork",
            c.create_network(with(t, pb::NetworkConfig::default())).await.map(|_| ()),
        ),
        (
            "UpdateNetwork",
            c.update_network(with(t, pb::NetworkUpdate::default())).await.map(|_| ()),
        ),
        (
            "DeleteNetwork",
            c.delete_network(with(t, pb::NetworkFilter::default())).await.map(|_| ()),
        ),
        ("Watch", c.watch(with(t, f())).await.map(|_| ())),
        ("Logs", c.logs(with(t, pb::LogsRequest::default())).await.map(|_| ())),
        ("ImportImage", c.import_image(with(t, pb::ImageImport::default())).await.map(|_| ())),
        ("Exec", c.exec(with(t, pb::ExecRequest::default())).await.map(|_| ())),
        ("Logout", c.logout(with(t, ())).await.map(|_| ())),
    ]
}

async fn tokens_guard_every_rpc_but_login_and_info(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let mut c = site.raw().await;
    let (_, token) = site.login().await;
    for (credential, token) in [
        ("no token", None),
        ("a wrong token", Some("deadbeef")),
        ("a valid token", Some(token.as_str())),
    ] {
        for (rpc, r) in every_rpc(&mut c, &site, token).await {
            let code = r.err().map_or(Code::Ok, |s| s.code());
            if credential == "a valid token" {
                assert_ne!(code, Code::Unauthenticated, "{rpc} with {credential}");
            } else {
                assert_eq!(code, Code::Unauthenticated, "{rpc} with {credential}");
            }
        }
    }
    c.info(()).await.expect("info needs no token");
    let log = site.popd.log();
    for op in ["Create", "Delete", "CreateNetwork", "ImportImage", "Logout"] {
        let line =
            log.lines().find(|l| l.contains("audit") && l.contains(&format!("operation={op} ")));
        let line = line.unwrap_or_else(|| panic!("no audit line for {op}:\n{log}"));
        assert!(line.contains("user=admin") && line.contains("peer=127.0.0.1"), "{line}");
    }

    let (user, password) = site.popd.auth.split_once(':').unwrap();
    let wrong_user = c
        .login(pb::Credentials { username: "nobody".into(), password: password.into() })
        .await
        .expect_err("wrong user");
    let wrong_password = c
        .login(pb::Credentials { username: user.into(), password: "wrong".into() })
        .await
        .expect_err("wrong password");
    assert_eq!(wrong_user.code(), wrong_password.code());
    assert_eq!(wrong_user.message(), wrong_password.message());

    let (mut c, token) = site.login().await;
    c.containers(authed(&token, pb::Filter::default())).await.expect("valid token");
    c.logout(authed(&token, ())).await.expect("logout");
    let after =
        c.containers(authed(&token, pb::Filter::default())).await.expect_err("after logout");
    assert_eq!(after.code(), Code::Unauthenticated);

    for file in files_under(site.popd.data_dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let found = bytes.windows(password.len()).any(|w| w == password.as_bytes());
        assert!(!found, "the password is in clear in {}", file.display());
    }
}

/// A popd with a small throttle, users `admin` (attacked) and `ops` (the same address, another
/// user): the wrong guesses take at least the throttle's sum, and `ops` logs in meanwhile.
mod concurrent_wrong_logins {
    use super::*;

    const GUESSES: u32 = 50;
    const BASE_MS: u64 = 20;
    const MAX_MS: u64 = 100;

    #[tokio::test(flavor = "multi_thread")]
    #[ignore = "needs root"]
    async fn native() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("popd.toml");
        let init = std::process::Command::new(BIN)
            .args(["popd", "init"])
            .arg(&file)
            .args(["--user", "ops", "--password", "ops-s3cret"])
            .output()
            .unwrap();
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
        let (base, max) = (BASE_MS.to_string(), MAX_MS.to_string());
        let config = file.to_str().unwrap();
        let site = Site::new(
            PopdRuntime::Native,
            &["--config", config, "--login-delay", &base, "--login-delay-max", &max],
        );
        let (user, _) = site.popd.auth.split_once(':').unwrap();
        let user = user.to_owned();

        // What the same guesses one after another would wait at least: the delay owed after
        // each failure but the last.
        let sequential: u64 = (1..GUESSES).map(|n| (BASE_MS << (n - 1).min(20)).min(MAX_MS)).sum();
        let answered = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let mut guesses = tokio::task::JoinSet::new();
        for i in 0..GUESSES {
            let (mut c, user, answered) = (site.raw().await, user.clone(), answered.clone());
            guesses.spawn(async move {
                let creds = pb::Credentials { username: user, password: format!("guess{i}") };
                let code = c.login(creds).await.expect_err("a wrong password").code();
                answered.fetch_add(1, Ordering::SeqCst);
                code
            });
        }
        tokio::time::sleep(Duration::from_millis(BASE_MS * 5)).await;
        let mut ops = site.raw().await;
        let creds = pb::Credentials { username: "ops".into(), password: "ops-s3cret".into() };
        ops.login(creds).await.expect("ops logs in");
        let before_ops = answered.load(Ordering::SeqCst);
        let codes = guesses.join_all().await;
        let took = start.elapsed();

        assert!(codes.iter().all(|c| *c == Code::Unauthenticated), "{codes:?}");
        assert!(
            before_ops < usize::try_from(GUESSES / 2).unwrap(),
            "ops waited behind the guesses: {before_ops} of {GUESSES} were answered first"
        );
        assert!(
            took >= Duration::from_millis(sequential),
            "{GUESSES} parallel guesses took {took:?}, less than the {sequential} ms one by one"
        );
    }
}
