//! A site whose pool runs out gets another block from the master through its agent, and the
//! Create that needed it still succeeds.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use serde_json::Value;

use crate::harness::{Lab, IMAGE};

/// The pools of `net` at `site`, from `pop networks`.
fn pools(lab: &Lab, site: &str, net: &str) -> Vec<RangeInclusive<Ipv4Addr>> {
    let networks = lab.json(site, &["pop", "networks"]);
    let found = networks.as_array().unwrap().iter().find(|n| n["name"] == net);
    let found = found.unwrap_or_else(|| panic!("no network {net} at {site}: {networks}"));
    let ranges = found["pools"].as_array().unwrap().iter().map(|p| {
        let (first, last) = p.as_str().unwrap().split_once('-').unwrap();
        first.parse().unwrap()..=last.parse().unwrap()
    });
    ranges.collect()
}

fn size(pools: &[RangeInclusive<Ipv4Addr>]) -> u32 {
    pools.iter().map(|p| u32::from(*p.end()) - u32::from(*p.start()) + 1).sum()
}

/// `pop create` (CREATED: addresses reserved, nothing runs) of `name` on `net`; its address.
fn create(lab: &Lab, site: &str, name: &str, net: &str) -> Ipv4Addr {
    let words = [&format!("image={IMAGE}"), &format!("name={name}"), &format!("net={net}")];
    let c: Value = lab.json(site, &["pop", "create", words[0], words[1], words[2]]);
    assert_eq!(c["status"], "CREATED", "{c}");
    c["ips"][net][0].as_str().expect("an address").parse().unwrap()
}

#[test]
#[ignore = "needs root"]
fn an_exhausted_pool_is_refilled_from_the_master_and_no_address_is_used_twice() {
    let lab = Lab::up(3);
    lab.network("a", "net", &lab.subnet.slash24(2));
    let resources = ["--resource", "a:net", "--resource", "b:net", "--resource", "c:net"];
    let args = ["intersite", "create", "--type", "l2", "--name", "refill"];
    let service = lab.json("a", &[&args[..], &resources].concat());
    assert_eq!(service["master"], "a", "{service}");

    for site in ["a", "c"] {
        create(&lab, site, &format!("{site}0"), "net");
    }
    // Site b is not the master: its agent asks a's over East-West. Two blocks' worth and one
    // more need two refills.
    let initial = size(&pools(&lab, "b", "net"));
    assert!(initial > 0, "site b has no addresses to start with");
    for i in 0..2 * initial + 1 {
        create(&lab, "b", &format!("b{i}"), "net");
    }
    let grown = pools(&lab, "b", "net");
    assert!(size(&grown) > 2 * initial, "b's pools did not grow: {grown:?}");
    // The master recorded the grants: what b was given is what b's popd has.
    let id = service["global_id"].as_str().unwrap();
    let master = lab.json("a", &["intersite", "show", id]);
    let granted: Vec<RangeInclusive<Ipv4Addr>> = master["params"]["pools"]["b"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["first"].as_str().unwrap().parse().unwrap()
                ..=p["last"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(size(&granted), size(&grown), "{master}");

    let mut owner: HashMap<Ipv4Addr, String> = HashMap::new();
    for site in ["a", "b", "c"] {
        let own = pools(&lab, site, "net");
        let listed = lab.json(site, &["pop", "servers"]);
        for c in listed.as_array().unwrap() {
            let addr: Ipv4Addr = c["ips"]["net"][0].as_str().unwrap().parse().unwrap();
            let who = format!("{} at {site}", c["name"]);
            assert!(own.iter().any(|p| p.contains(&addr)), "{who}: {addr} not in {own:?}");
            if let Some(before) = owner.insert(addr, who.clone()) {
                panic!("{addr} is used by {before} and by {who}");
            }
        }
    }
    assert_eq!(u32::try_from(owner.len()).unwrap(), 2 * initial + 3);
    lab.down();
}
