//! 500 concurrent Creates on a /22 get 500 distinct addresses; Creates past the pool's size
//! fail with a pool-exhausted error and create nothing.

use archipel_testkit::PopdRuntime;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use archipel_proto::v1 as pb;
use futures::future::join_all;

use crate::harness::{address, authed, config, Site, IMAGE};

crate::on_both_runtimes!(concurrent_creates_never_share_an_address);

async fn concurrent_creates_never_share_an_address(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let (c, token) = site.login().await;
    let net = format!("{}-big", site.popd.name);
    let cidr = site.subnet.slash22(1);
    let base: Ipv4Addr = cidr.trim_end_matches("/22").parse().unwrap();
    // A pool of exactly 500 addresses inside the /22.
    let first = Ipv4Addr::from(u32::from(base) + 2);
    let last = Ipv4Addr::from(u32::from(base) + 501);
    let mut admin = c.clone();
    admin
        .create_network(authed(
            &token,
            pb::NetworkConfig {
                name: net.clone(),
                subnet: Some(pb::Subnet { cidr: cidr.clone(), gateway: String::new() }),
                pools: vec![pb::Pool { first: first.to_string(), last: last.to_string() }],
                mtu: 0,
            },
        ))
        .await
        .expect("create network");

    let creates = (0..520).map(|i| {
        let mut c = c.clone();
        let (token, net, name) = (token.clone(), net.clone(), format!("{}-c{i}", site.popd.name));
        async move { c.create(authed(&token, config(&name, IMAGE, &[(&net, "")]))).await }
    });
    let results = join_all(creates).await;

    let mut addrs = BTreeSet::new();
    let mut exhausted = 0;
    for r in results {
        match r {
            Ok(ct) => {
                assert!(addrs.insert(address(&ct.into_inner(), &net)), "address handed out twice")
            }
            Err(status) => {
                assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
                assert!(status.message().contains("exhausted"), "{status:?}");
                exhausted += 1;
            }
        }
    }
    assert_eq!(addrs.len(), 500);
    assert_eq!(exhausted, 20);
    for a in &addrs {
        let a: Ipv4Addr = a.parse().unwrap();
        assert!(first <= a && a <= last, "{a} outside the pool");
    }

    let mut lister = c.clone();
    let all =
        lister.containers(authed(&token, pb::Filter::default())).await.expect("list").into_inner();
    assert_eq!(all.list.len(), 500, "an exhausted create left a record");
}
