//! `pop network create|update|rm` and addresses on several networks.

use crate::harness::{stderr, Popd, IMAGE};

#[tokio::test(flavor = "multi_thread")]
async fn networks_are_managed_and_used_through_the_cli() {
    let popd = Popd::start().await;
    let created = popd
        .json(&[
            "network",
            "create",
            "extra",
            "--subnet",
            "10.251.0.0/24",
            "--pool",
            "10.251.0.10-10.251.0.20",
            "--mtu",
            "1400",
        ])
        .await;
    assert_eq!(created["name"], "extra");
    assert_eq!(created["cidr"], "10.251.0.0/24");
    assert_eq!(created["gateway"], "10.251.0.1");
    assert_eq!(created["pools"], serde_json::json!(["10.251.0.10-10.251.0.20"]));
    assert_eq!(created["mtu"], 1400);

    let two = popd
        .json(&[
            "create",
            &format!("image={IMAGE}"),
            "name=a",
            "net=extra",
            "ip=10.251.0.15",
            "net=private",
        ])
        .await;
    assert_eq!(two["ips"]["extra"], serde_json::json!(["10.251.0.15"]));
    assert_eq!(two["ips"]["private"].as_array().map(Vec::len), Some(1));

    let updated = popd.json(&["network", "update", "extra", "--mtu", "1300"]).await;
    assert_eq!(updated["mtu"], 1300);
    let table = popd.ok(&["networks", "--output", "table"]).await;
    assert!(table.starts_with("NAME "), "{table}");
    assert!(table.lines().any(|l| l.starts_with("extra ")), "{table}");

    let busy = popd.pop(&["network", "rm", "extra"]).await;
    assert!(stderr(&busy).ends_with("(FAILED_PRECONDITION)\n"), "{}", stderr(&busy));
    popd.ok(&["rm", "a"]).await;
    assert_eq!(popd.json(&["network", "rm", "extra"]).await, serde_json::json!(["extra"]));
    assert_eq!(popd.json(&["networks", "extra"]).await, serde_json::json!([]));
}
