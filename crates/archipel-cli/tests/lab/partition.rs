//! A site cut from the underlay: requests naming it fail and leave nothing; the rest works.

use crate::harness::{text, Lab};

#[test]
#[ignore = "needs root"]
fn an_extension_to_a_cut_off_site_fails_naming_it_and_leaves_nothing() {
    let lab = Lab::up(2);
    let cidr = lab.subnet.slash24(2);
    lab.network("a", "net", &cidr);
    let before = lab.json("a", &["pop", "networks"]);
    let links_before = lab.links("a");
    lab.set_underlay("b", false);

    let args = ["intersite", "create", "--type", "l2", "--name", "ext", "--timeout", "60"];
    let resources = ["--resource", "a:net", "--resource", "b:net"];
    let out = lab.cli("a", &[&args[..], &resources].concat());
    assert!(!out.status.success(), "the create succeeded: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("site b"), "{err}");
    assert_eq!(lab.json("a", &["pop", "networks"]), before, "a's networks changed");
    assert_eq!(lab.links("a"), links_before, "a's links changed");
    assert!(!lab.links("a").iter().any(|l| l.starts_with("vx")));
    assert_eq!(lab.json("a", &["intersite", "ls"]), serde_json::json!([]));
    let (addr, _) = lab.container("a", "local", "net");
    assert!(cidr.parse::<ipnet::Ipv4Net>().unwrap().contains(&addr));

    lab.set_underlay("b", true);
    let healed = lab.json("a", &[&args[..], &resources].concat());
    assert_eq!(healed["resources"].as_array().map(Vec::len), Some(2), "{healed}");
    lab.down();
}
