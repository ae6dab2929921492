//! CreateNetwork against what the site's namespace already holds: a gateway another interface
//! holds, a subnet overlapping an address (a Docker network's bridge in the host's namespace
//! looks exactly so) or a route, and the reserved ranges are refused naming the conflict, and no
//! bridge is left behind.

use archipel_pop::runtime::native::bridge_name;
use archipel_proto::v1 as pb;
use archipel_testkit::{run, sh, unique, PopdRuntime};
use tonic::Code;

use crate::harness::{authed, Site};

/// Interfaces made for the test, removed on drop (also when it fails).
struct Links(Vec<String>);

impl Links {
    fn add(&mut self, kind: &str) -> String {
        let name = unique("apt");
        sh(&format!("ip link add {name} type {kind}"));
        self.0.push(name.clone());
        name
    }
}

impl Drop for Links {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = run("ip", &["link", "del", name]);
        }
    }
}

/// The address `host` of a leased `a.b.c.0/24`.
fn host(slash24: &str, host: u8) -> String {
    slash24.replace("0/24", &host.to_string())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root"]
async fn create_network_refuses_what_the_namespace_already_uses() {
    let site = Site::new(PopdRuntime::Native, &[]);
    let (mut c, token) = site.login().await;
    let mut links = Links(Vec::new());
    let (held, overlapped, routed, docker_like) = (
        site.subnet.slash24(1),
        site.subnet.slash24(2),
        site.subnet.slash24(3),
        site.subnet.slash24(4),
    );

    // An interface holds one address as a /32 and a whole /24; a route leads
    // elsewhere; a bridge holds a gateway and its subnet as a Docker network's does.
    let dummy = links.add("bridge");
    sh(&format!("ip addr add {}/32 dev {dummy}", host(&held, 1)));
    sh(&format!("ip addr add {}/24 dev {dummy}", host(&overlapped, 5)));
    sh(&format!("ip link set {dummy} up"));
    sh(&format!("ip route add {routed} dev {dummy}"));
    let bridge = links.add("bridge");
    sh(&format!("ip addr add {}/24 dev {bridge}", host(&docker_like, 1)));

    let cases = [
        (
            held.clone(),
            Code::FailedPrecondition,
            format!("gateway {} is already held by interface {dummy}", host(&held, 1)),
        ),
        (
            overlapped.clone(),
            Code::FailedPrecondition,
            format!("overlaps address {}/24 of interface {dummy}", host(&overlapped, 5)),
        ),
        (
            routed.clone(),
            Code::FailedPrecondition,
            format!("overlaps the route to {routed} dev {dummy}"),
        ),
        (
            docker_like.clone(),
            Code::FailedPrecondition,
            format!("gateway {} is already held by interface {bridge}", host(&docker_like, 1)),
        ),
        ("127.1.0.0/24".into(), Code::InvalidArgument, "loopback (127.0.0.0/8)".into()),
        ("224.0.0.0/24".into(), Code::InvalidArgument, "multicast (224.0.0.0/4)".into()),
        ("240.0.0.0/24".into(), Code::InvalidArgument, "reserved (240.0.0.0/4)".into()),
        ("0.1.0.0/24".into(), Code::InvalidArgument, "(0.0.0.0/8)".into()),
        ("169.254.7.0/24".into(), Code::InvalidArgument, "link-local (169.254.0.0/16)".into()),
    ];
    for (i, (cidr, code, says)) in cases.into_iter().enumerate() {
        let name = format!("{}-n{i}", site.popd.name);
        let config = pb::NetworkConfig {
            name: name.clone(),
            subnet: Some(pb::Subnet { cidr: cidr.clone(), gateway: String::new() }),
            ..Default::default()
        };
        let err = c.create_network(authed(&token, config)).await.expect_err(&cidr);
        assert_eq!(err.code(), code, "{cidr}: {err:?}");
        assert!(err.message().contains(&says), "{cidr}: {:?} does not say {says:?}", err.message());
        let left = bridge_name(&site.popd.name, &name);
        assert!(!run("ip", &["link", "show", &left]).status.success(), "{cidr} left bridge {left}");
    }
    let listed = site.cli_json(&["networks"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "only the default network: {listed}");

    // A free subnet of the same lease is still fine.
    let free = pb::NetworkConfig {
        name: format!("{}-free", site.popd.name),
        subnet: Some(pb::Subnet { cidr: site.subnet.slash24(5), gateway: String::new() }),
        ..Default::default()
    };
    c.create_network(authed(&token, free)).await.expect("a free subnet");
}
