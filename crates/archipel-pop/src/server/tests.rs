//! The gRPC service end to end over a real socket, with the fake runtime below.

use std::sync::Arc;
use std::time::Duration;

use archipel_proto::v1 as pb;
use pb::pop_client::PopClient;
use tonic::transport::Channel;
use tonic::{Code, Request};

use super::*;
use crate::auth::cheap_user;
use crate::runtime::fake::{Call, FakeRuntime};

fn config(dir: &Path) -> PopdConfig {
    PopdConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_owned(),
        name: "site-a".into(),
        users: vec![cheap_user("admin", "s3cret")],
        max_message_bytes: 64 * 1024,
        default_subnet: "10.66.0.0/24".parse().unwrap(),
        ..PopdConfig::default()
    }
}

fn authed<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("token", token.parse().unwrap());
    req
}

fn by_name(n: &str) -> pb::Filter {
    pb::Filter { options: Some(pb::filter::Options::Name(n.into())) }
}

async fn login(client: &mut PopClient<Channel>) -> String {
    let creds = pb::Credentials { username: "admin".into(), password: "s3cret".into() };
    client.login(creds).await.unwrap().into_inner().value
}

#[tokio::test]
async fn the_protocol_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Arc::new(FakeRuntime::new());
    let handle = start(config(dir.path()), rt.clone()).await.unwrap();
    let addr = handle.local_addr();
    let written = std::fs::read_to_string(dir.path().join(ADDR_FILE)).unwrap();
    assert_eq!(written, format!("{addr}\n"));
    let mut client = PopClient::connect(format!("http://{addr}")).await.unwrap();

    let info = client.info(()).await.unwrap().into_inner();
    assert_eq!((info.r#type.as_str(), info.name.as_str()), ("archipel-popd", "site-a"));
    let anonymous = client.containers(pb::Filter::default()).await.unwrap_err();
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    let forged = client.containers(authed(pb::Filter::default(), "00ff")).await.unwrap_err();
    assert_eq!(forged.code(), Code::Unauthenticated);
    let wrong = pb::Credentials { username: "admin".into(), password: "nope".into() };
    assert_eq!(client.login(wrong).await.unwrap_err().code(), Code::Unauthenticated);
    let token = login(&mut client).await;

    let config = pb::ContainerConfig {
        name: "web".into(),
        image_id: "alpine:latest".into(),
        ..Default::default()
    };
    let created = client.create(authed(config.clone(), &token)).await.unwrap().into_inner();
    assert_eq!(created.names, vec!["web"]);
    assert_eq!(created.status, pb::container::Status::Created as i32);
    assert_eq!(created.flavour_id, "docker-flavour-id");
    let ep = &created.endpoints["private"];
    let ip = ep.ipv4.as_ref().unwrap();
    assert_eq!(ip.address, "10.66.0.2");
    assert_eq!(ip.subnet.as_ref().unwrap().cidr, "10.66.0.0/24");
    assert_eq!(ip.subnet.as_ref().unwrap().gateway, "10.66.0.1");
    assert_eq!(ep.net_name, "private");
    let dup = client.create(authed(config, &token)).await.unwrap_err();
    assert_eq!(dup.code(), Code::AlreadyExists);

    let md = |k: &str, v: String| pb::NewMetadata {
        filter: Some(by_name("web")),
        md: Some(pb::Metadata { entries: [(k.to_string(), v)].into() }),
    };
    let bad_key = client.metadata(authed(md("A-B", "x".into()), &token)).await.unwrap_err();
    assert_eq!(bad_key.code(), Code::InvalidArgument);
    assert!(bad_key.message().contains("A-B"));
    let huge =
        client.metadata(authed(md("BIG", "x".repeat(100 * 1024)), &token)).await.unwrap_err();
    assert_eq!(huge.code(), Code::ResourceExhausted, "{huge:?}");
    assert!(huge.message().contains("too large"));
    client.metadata(authed(md("PEER", "10.66.0.9".into()), &token)).await.unwrap();

    let started = client.start(authed(by_name("web"), &token)).await.unwrap().into_inner();
    assert_eq!(started.status, pb::container::Status::Running as i32);
    assert_eq!(started.md.unwrap().entries["PEER"], "10.66.0.9");
    let mut events = client.watch(authed(by_name("web"), &token)).await.unwrap().into_inner();
    let first = events.message().await.unwrap().unwrap();
    assert_eq!(first.container.unwrap().status, pb::container::Status::Running as i32);

    let mut stop = authed(by_name("web"), &token);
    stop.set_timeout(Duration::from_secs(10));
    client.stop(stop).await.unwrap();
    assert!(rt
        .calls()
        .iter()
        .any(|c| matches!(c, Call::Stop { timeout, .. } if *timeout == Duration::from_secs(9))));
    let list = client.containers(authed(by_name("web"), &token)).await.unwrap().into_inner();
    assert_eq!(list.list[0].status, pb::container::Status::Exited as i32);
    assert_eq!(list.list[0].exit_code, Some(0));
    let again = client.stop(authed(by_name("web"), &token)).await.unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition);
    let no_filter = client.start(authed(pb::Filter::default(), &token)).await.unwrap_err();
    assert_eq!(no_filter.code(), Code::InvalidArgument);

    let nets = client.networks(authed(pb::Filter::default(), &token)).await.unwrap().into_inner();
    let private = &nets.list[0];
    assert_eq!(private.name, "private");
    assert!(private.attachment.as_ref().unwrap().bridge.starts_with("br-"));
    let net = pb::NetworkConfig {
        name: "mgmt".into(),
        subnet: Some(pb::Subnet { cidr: "10.66.0.128/25".into(), gateway: String::new() }),
        ..Default::default()
    };
    let overlap = client.create_network(authed(net, &token)).await.unwrap_err();
    assert_eq!(overlap.code(), Code::InvalidArgument);

    client.logout(authed((), &token)).await.unwrap();
    let after = client.containers(authed(pb::Filter::default(), &token)).await.unwrap_err();
    assert_eq!(after.code(), Code::Unauthenticated);

    // Watch streams end at shutdown, so the drain is quick.
    handle.shutdown(Duration::from_secs(10)).await.unwrap();
    let mut buffered = 0;
    while let Ok(Some(_)) = events.message().await {
        buffered += 1;
        assert!(buffered < 10, "the watch stream did not end");
    }
}

#[tokio::test]
async fn serve_returns_when_asked_and_sessions_survive_it() {
    let dir = tempfile::tempdir().unwrap();
    let rt = Arc::new(FakeRuntime::new());
    let handle = start(config(dir.path()), rt.clone()).await.unwrap();
    let mut client = PopClient::connect(format!("http://{}", handle.local_addr())).await.unwrap();
    let token = login(&mut client).await;
    handle.shutdown(Duration::from_secs(10)).await.unwrap();

    let handle = start(config(dir.path()), rt).await.unwrap();
    // The address file is rewritten once the restarted popd listens.
    let text = std::fs::read_to_string(dir.path().join(ADDR_FILE)).unwrap();
    let addr: SocketAddr = text.trim().parse().unwrap();
    assert_eq!(addr, handle.local_addr());
    let mut client = PopClient::connect(format!("http://{addr}")).await.unwrap();
    let list = client.containers(authed(pb::Filter::default(), &token)).await;
    assert!(list.is_ok(), "session valid after a restart ({addr}): {list:?}");
    assert!(handle.shutdown(Duration::from_secs(10)).await.unwrap());
}
