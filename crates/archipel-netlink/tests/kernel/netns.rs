use std::process::Command;

use archipel_netlink::{in_netns, in_netns_async, netns_path, Netlink, NetlinkError};

use crate::common::{ip, ip_netns_ls, netlink, run, Namespaces};

#[tokio::test]
#[ignore = "needs root"]
async fn a_namespace_is_made_like_ip_netns_add_and_deleted_like_ip_netns_del() {
    let nl = netlink();
    let names = Namespaces::new(&["a"]);
    let name = names.name(0);

    nl.ensure_netns(name).await.unwrap();
    nl.ensure_netns(name).await.unwrap();
    assert!(ip_netns_ls().iter().any(|n| n == name));
    assert!(nl.netns_exists(name).await.unwrap());
    assert!(nl.list_netns().await.unwrap().iter().any(|n| n == name));
    assert!(ip(name, &["-o", "link", "show"]).contains("lo:"));
    // A namespace of its own: none of the host's links are in it.
    assert_eq!(ip(name, &["-o", "link", "show"]).lines().count(), 1);

    nl.delete_netns(name).await.unwrap();
    nl.delete_netns(name).await.unwrap();
    assert!(!ip_netns_ls().iter().any(|n| n == name));
    assert!(!nl.netns_exists(name).await.unwrap());
    assert!(!netns_path(name).exists());
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_namespace_made_by_ip_is_adopted() {
    let nl = netlink();
    let names = Namespaces::new(&["a"]);
    run("ip", &["netns", "add", names.name(0)]);
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_bridge(names.ns(0), "br0", None).await.unwrap();
    assert!(ip(names.name(0), &["link", "show", "br0"]).contains("br0"));
}

#[tokio::test]
#[ignore = "needs root"]
async fn in_netns_runs_code_and_processes_inside_the_namespace() {
    let nl = netlink();
    let names = Namespaces::new(&["a"]);
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.ensure_bridge(names.ns(0), "inside0", None).await.unwrap();

    let shown = in_netns(names.ns(0), || Command::new("ip").args(["link", "show"]).output())
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("inside0"));

    let host = own_netns();
    let inside = in_netns_async(names.ns(0), own_netns).await.unwrap();
    assert_ne!(host, inside);
    // The caller's thread never left the host namespace.
    assert_eq!(own_netns(), host);
}

/// The network namespace of the calling thread, as `net:[INODE]`.
fn own_netns() -> std::path::PathBuf {
    std::fs::read_link("/proc/thread-self/ns/net").unwrap()
}

#[tokio::test]
#[ignore = "needs root"]
async fn a_missing_namespace_is_named_in_the_error() {
    let nl = netlink();
    let names = Namespaces::new(&["missing"]);
    let err = nl.ensure_bridge(names.ns(0), "br0", None).await.unwrap_err();
    assert!(matches!(&err, NetlinkError::NetnsNotFound { name } if name == names.name(0)), "{err}");
    assert!(in_netns(names.ns(0), || ()).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root"]
async fn ip_forward_is_set_in_the_namespace_only() {
    let nl = netlink();
    let names = Namespaces::new(&["r"]);
    let host = std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap();
    nl.ensure_netns(names.name(0)).await.unwrap();
    nl.set_ip_forward(names.ns(0), true).await.unwrap();
    let inside =
        run("ip", &["netns", "exec", names.name(0), "cat", "/proc/sys/net/ipv4/ip_forward"]);
    assert_eq!(inside.trim(), "1");
    assert_eq!(std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap(), host);
}
