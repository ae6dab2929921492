//! A partition that heals: while site b is cut off, a and c keep carrying traffic and a delete
//! finishes at the sites it reaches; once b is back it converges on the master's view (the
//! deleted service leaves it) and the traffic through it resumes. Fault suite, point 3: then its
//! records equal the master's, and no two sites hold overlapping pools or one address.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{pings, text, Lab};

/// The acceptance bound for a healed site to match the master.
const CONVERGED: Duration = Duration::from_secs(30);

#[test]
#[ignore = "needs root"]
fn a_cut_off_site_converges_after_the_partition_heals() {
    let lab = Lab::up(3);
    let s1 = extension(&lab, "s1", "net1", &lab.subnet.slash24(4), &["a", "b", "c"]);
    let s2 = extension(&lab, "s2", "net2", &lab.subnet.slash24(5), &["a", "c"]);
    let s3 = extension(&lab, "s3", "net3", &lab.subnet.slash24(6), &["a", "b"]);
    let (a1, a1_ns) = lab.container("a", "a1", "net1");
    let (c1, c1_ns) = lab.container("c", "c1", "net1");
    lab.container("b", "b1", "net1");
    let (a2, a2_ns) = lab.container("a", "a2", "net2");
    let (c2, c2_ns) = lab.container("c", "c2", "net2");
    let (a3, a3_ns) = lab.container("a", "a3", "net3");
    let (b3, b3_ns) = lab.container("b", "b3", "net3");
    assert!(pings(&a3_ns, b3) && pings(&b3_ns, a3), "s3 does not carry a<->b before the cut");

    lab.set_underlay("b", false);
    assert!(pings(&a2_ns, c2) && pings(&c2_ns, a2), "s2 stopped carrying a<->c");
    assert!(pings(&a1_ns, c1) && pings(&c1_ns, a1), "s1 stopped carrying a<->c");

    // The agents delete the networks they made for s1: their containers go first, b's at b's
    // own popd while b is cut off.
    for (site, container) in [("b", "b1"), ("c", "c1")] {
        lab.json(site, &["pop", "rm", container]);
    }
    let id1 = s1["global_id"].as_str().unwrap();
    let vx1 = format!("vx{}", s1["params"]["vni"]);
    let out = lab.cli("a", &["intersite", "rm", id1, "--timeout", "60"]);
    assert!(out.status.success(), "the delete failed: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains("pending: b ("), "{}", text(&out.stderr));
    for site in ["a", "c"] {
        assert!(!lab.links(site).contains(&vx1), "{vx1} is left at site {site}");
        assert!(!has_service(&lab.json(site, &["intersite", "ls"]), id1), "s1 is left at {site}");
    }
    assert!(!has_network(&lab.json("c", &["pop", "networks"]), "net1"), "c kept net1");
    assert!(lab.links("b").contains(&vx1), "b dropped s1 before the master told it to");

    lab.set_underlay("b", true);
    let b_left = poll(|| {
        let services = try_json(&lab, "b", &["intersite", "ls"]);
        let networks = try_json(&lab, "b", &["pop", "networks"]);
        !lab.links("b").contains(&vx1)
            && services.is_some_and(|l| !has_service(&l, id1))
            && networks.is_some_and(|l| !has_network(&l, "net1"))
    });
    assert!(b_left, "b still holds s1 {CONVERGED:?} after the heal");
    assert!(poll(|| pings(&a3_ns, b3) && pings(&b3_ns, a3)), "s3 does not carry a<->b again");
    assert!(pings(&a2_ns, c2), "s2 stopped carrying a<->c");
    let ids: Vec<&str> = [&s2, &s3].iter().map(|s| s["global_id"].as_str().unwrap()).collect();
    let listed = lab.json("a", &["intersite", "ls"]);
    assert!(ids.iter().all(|id| has_service(&listed, id)), "{listed}");

    // Fault suite, point 3: the healed site's records are the master's, and no two sites hold
    // overlapping pools or the same address on a stretched network.
    let records = |site: &str, id: &str| {
        let listed = lab.json(site, &["intersite", "ls"]);
        let service = listed.as_array().unwrap().iter().find(|s| s["global_id"] == id).cloned();
        // `created` is local: whether this site's agent made the network.
        let resources = |s: &Value| -> Vec<(Value, Value)> {
            let list = s["resources"].as_array().cloned().unwrap_or_default();
            list.iter().map(|r| (r["site"].clone(), r["network"].clone())).collect()
        };
        // The reserve is the master's alone: participants are sent the view without it.
        let params = |s: &Value| {
            let mut params = s["params"].clone();
            params.as_object_mut().map(|p| p.remove("reserve"));
            params
        };
        service.map(|s| (s["type"].clone(), params(&s), resources(&s)))
    };
    let s3_id = s3["global_id"].as_str().unwrap();
    let same = poll(|| records("b", s3_id) == records("a", s3_id));
    assert!(same, "b's s3 {:?} differs from a's {:?}", records("b", s3_id), records("a", s3_id));
    for (net, sites, addresses) in [("net2", ["a", "c"], [a2, c2]), ("net3", ["a", "b"], [a3, b3])]
    {
        let pools: Vec<(Ipv4Addr, Ipv4Addr)> =
            sites.iter().flat_map(|s| pools(&lab, s, net)).collect();
        for (i, p) in pools.iter().enumerate() {
            for q in &pools[i + 1..] {
                assert!(p.1 < q.0 || q.1 < p.0, "{net}: pools {p:?} and {q:?} overlap");
            }
        }
        assert_ne!(addresses[0], addresses[1], "{net}: one address at two sites");
    }
    println!("fault partition-heal: sites 3, partitions 1, converged within {CONVERGED:?}, overlapping pools 0, shared addresses 0");
    lab.down();
}

/// The pools of network `net` at `site`, as popd lists them.
pub(crate) fn pools(lab: &Lab, site: &str, net: &str) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let listed = lab.json(site, &["pop", "networks"]);
    let network = listed.as_array().unwrap().iter().find(|n| n["name"] == net).cloned();
    let network = network.unwrap_or_else(|| panic!("no {net} at {site}: {listed}"));
    network["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (first, last) = p.as_str().unwrap().split_once('-').unwrap();
            (first.parse().unwrap(), last.parse().unwrap())
        })
        .collect()
}

/// An L2 extension of a new network `net` of site a over `sites`.
fn extension(lab: &Lab, name: &str, net: &str, cidr: &str, sites: &[&str]) -> Value {
    lab.network("a", net, cidr);
    let mut args = vec!["intersite", "create", "--type", "l2", "--name", name];
    let resources: Vec<String> = sites.iter().map(|s| format!("{s}:{net}")).collect();
    for r in &resources {
        args.extend(["--resource", r.as_str()]);
    }
    lab.json("a", &args)
}

/// `archipel ARGS -o json` at `site`, `None` when it fails (the site may not answer yet).
pub(crate) fn try_json(lab: &Lab, site: &str, args: &[&str]) -> Option<Value> {
    let out = lab.cli(site, &[args, &["-o", "json"]].concat());
    out.status.success().then(|| serde_json::from_slice(&out.stdout).ok()).flatten()
}

pub(crate) fn has_service(listed: &Value, global_id: &str) -> bool {
    listed.as_array().is_some_and(|l| l.iter().any(|s| s["global_id"] == global_id))
}

pub(crate) fn has_network(listed: &Value, name: &str) -> bool {
    listed.as_array().is_some_and(|l| l.iter().any(|n| n["name"] == name))
}

/// Whether `check` holds within [`CONVERGED`], trying once a second.
pub(crate) fn poll(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + CONVERGED;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
