//! L2 extensions across two and three sites of a lab.

use std::net::Ipv4Addr;

use crate::harness::{carries_100_mb, pings, Lab};

#[test]
#[ignore = "needs root"]
fn two_sites_share_a_subnet_ping_and_carry_100_mb() {
    let lab = Lab::up(2);
    let cidr = lab.subnet.slash24(0);
    lab.network("a", "net", &cidr);
    let args = ["intersite", "create", "--type", "l2", "--name", "ext"];
    let service =
        lab.json("a", &[&args[..], &["--resource", "a:net", "--resource", "b:net"]].concat());
    assert_eq!(service["params"]["cidr"], cidr.as_str());

    let (a_addr, a_ns) = lab.container("a", "ca", "net");
    let (b_addr, b_ns) = lab.container("b", "cb", "net");
    let in_pool = |site: &str, addr| {
        let pool = &service["params"]["pools"][site][0];
        let (first, last) = (pool["first"].as_str().unwrap(), pool["last"].as_str().unwrap());
        (first.parse::<Ipv4Addr>().unwrap()..=last.parse().unwrap()).contains(&addr)
    };
    assert!(in_pool("a", a_addr), "{a_addr} is not in a's pool: {service}");
    assert!(in_pool("b", b_addr), "{b_addr} is not in b's pool: {service}");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");
    assert!(pings(&b_ns, a_addr), "{b_addr} does not reach {a_addr}");

    carries_100_mb(&a_ns, &b_ns, b_addr);
    lab.down();
}

#[test]
#[ignore = "needs root"]
fn three_sites_share_a_subnet_and_every_pair_pings() {
    let lab = Lab::up(3);
    lab.network("a", "net", &lab.subnet.slash24(1));
    let resources = ["--resource", "a:net", "--resource", "b:net", "--resource", "c:net"];
    let args = ["intersite", "create", "--type", "l2", "--name", "ext3"];
    let service = lab.json("a", &[&args[..], &resources].concat());
    let vx = format!("vx{}", service["params"]["vni"]);

    let containers: Vec<_> =
        ["a", "b", "c"].iter().map(|s| (s, lab.container(s, &format!("c{s}"), "net"))).collect();
    for (site, _) in &containers {
        assert!(lab.links(site).contains(&vx), "no {vx} at site {site}");
    }
    for (from, (_, ns)) in &containers {
        for (to, (addr, _)) in containers.iter().filter(|(to, _)| to != from) {
            assert!(pings(ns, *addr), "site {from} does not reach {addr} at site {to}");
        }
    }
    let listed = lab.json("b", &["intersite", "ls"]);
    assert_eq!(listed[0]["master"], "a", "{listed}");
    lab.down();
}
