//! L3 routing between two /23s of two sites, and a refused overlap.

use crate::harness::{pings, slash23, text, Lab};

#[test]
#[ignore = "needs root"]
fn two_slash23s_route_and_an_overlap_is_refused_naming_both() {
    let lab = Lab::up(2);
    let (one, two) = (slash23(&lab.subnet, 2), slash23(&lab.subnet, 3));
    lab.network("a", "one", &one);
    lab.network("b", "two", &two);
    // Inside `one`: the /24 after its first. Made before `routed` exists: popd refuses a
    // subnet that a route of its namespace (here the one to `one`) already covers.
    let inside = lab.subnet.slash24(5);
    lab.network("b", "three", &inside);
    let args = ["intersite", "create", "--type", "l3", "--name", "routed"];
    lab.json("a", &[&args[..], &["--resource", "a:one", "--resource", "b:two"]].concat());
    let (a_addr, a_ns) = lab.container("a", "ca", "one");
    let (b_addr, b_ns) = lab.container("b", "cb", "two");
    assert!(pings(&a_ns, b_addr), "{a_addr} does not reach {b_addr}");
    assert!(pings(&b_ns, a_addr), "{b_addr} does not reach {a_addr}");

    let before = world(&lab);
    let args = ["intersite", "create", "--type", "l3", "--name", "bad"];
    let out =
        lab.cli("a", &[&args[..], &["--resource", "a:one", "--resource", "b:three"]].concat());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("network one of site a ({one})")), "{err}");
    assert!(err.contains(&format!("network three of site b ({inside})")), "{err}");
    assert_eq!(world(&lab), before, "the refused request changed something");
    assert_eq!(lab.json("a", &["intersite", "ls"]).as_array().map(Vec::len), Some(1));
    lab.down();
}

/// Both sites' links and routes.
fn world(lab: &Lab) -> Vec<String> {
    let mut all = Vec::new();
    for site in ["a", "b"] {
        all.extend(lab.links(site));
        let routes = archipel_testkit::run("ip", &["-n", &lab.netns(site), "route"]);
        all.push(text(&routes.stdout));
    }
    all
}
