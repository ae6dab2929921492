//! 500 concurrent Creates on a /22 get 500 distinct addresses; Creates past the pool's size
//! fail with a pool-exhausted error and create nothing.

use archipel_testkit::PopdRuntime;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use archipel_proto::v1 as pb;
use futures::future::join_all;

use crate::harness::{address, authed, config, network_with_pool, Site, IMAGE};

crate::on_both_runtimes!(concurrent_creates_never_share_an_address);

async fn concurrent_creates_never_share_an_address(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let (c, token) = site.login().await;
    let net = format!("{}-big", site.popd.name);
    let cidr = site.subnet.slash22(1);
    // A pool of exactly 500 addresses inside the /22.
    let mut admin = c.clone();
    let (first, last) = network_with_pool(&mut admin, &token, &net, &cidr, 500).await;

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
