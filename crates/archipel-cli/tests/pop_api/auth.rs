//! Without a token every RPC except Login and Info is UNAUTHENTICATED; a wrong user and a wrong
//! password give the same answer; after Logout the token is useless; the password is nowhere
//! on disk in the clear.

use archipel_proto::v1 as pb;
use archipel_testkit::PopdRuntime;
use tonic::Code;

use crate::harness::{authed, by_name, config, Site, IMAGE};

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

async fn tokens_guard_every_rpc_but_login_and_info(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let mut c = site.raw().await;
    let f = || pb::Filter::default();
    let codes = [
        c.containers(f()).await.map(|_| ()),
        c.flavours(f()).await.map(|_| ()),
        c.images(f()).await.map(|_| ()),
        c.networks(f()).await.map(|_| ()),
        c.create(config(&site.name("x"), IMAGE, &[])).await.map(|_| ()),
        c.delete(by_name("x")).await.map(|_| ()),
        c.metadata(pb::NewMetadata::default()).await.map(|_| ()),
        c.start(by_name("x")).await.map(|_| ()),
        c.stop(by_name("x")).await.map(|_| ()),
        c.logout(()).await.map(|_| ()),
        c.create_network(pb::NetworkConfig::default()).await.map(|_| ()),
        c.update_network(pb::NetworkUpdate::default()).await.map(|_| ()),
        c.delete_network(pb::NetworkFilter::default()).await.map(|_| ()),
        c.watch(f()).await.map(|_| ()),
        c.logs(pb::LogsRequest::default()).await.map(|_| ()),
    ];
    for (i, r) in codes.into_iter().enumerate() {
        assert_eq!(r.expect_err("no token").code(), Code::Unauthenticated, "rpc #{i}");
    }
    let bogus = c.containers(authed("deadbeef", f())).await.expect_err("bogus token");
    assert_eq!(bogus.code(), Code::Unauthenticated);
    c.info(()).await.expect("info needs no token");

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
    c.containers(authed(&token, f())).await.expect("valid token");
    c.logout(authed(&token, ())).await.expect("logout");
    let after = c.containers(authed(&token, f())).await.expect_err("after logout");
    assert_eq!(after.code(), Code::Unauthenticated);

    for file in files_under(site.popd.data_dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let found = bytes.windows(password.len()).any(|w| w == password.as_bytes());
        assert!(!found, "the password is in clear in {}", file.display());
    }
}
