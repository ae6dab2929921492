//! A container from create to rm, and the thesis's output formats.

use std::time::Duration;

use archipel_pop::runtime::fake::Call;

use crate::harness::{Popd, IMAGE};

#[tokio::test(flavor = "multi_thread")]
async fn a_container_lives_and_goes_through_the_cli() {
    let popd = Popd::start().await;
    let created = popd.json(&["create", &format!("image={IMAGE}"), "name=web"]).await;
    assert_eq!(created["status"], "CREATED");
    assert_eq!(created["name"], "web");
    assert!(created["ips"]["private"][0].as_str().unwrap().starts_with("10.250.0."), "{created}");

    // YAML by default, KEY: VALUE lines sorted, as the thesis's `pop md get`.
    let md = popd.ok(&["md", "set", "web", "RATE=10", "PEER=a: b", "GONE=x"]).await;
    assert_eq!(md, "GONE: x\nPEER: \"a: b\"\nRATE: 10\n");
    popd.ok(&["md", "set", "web", "GONE="]).await;
    assert_eq!(popd.ok(&["md", "get", "web"]).await, "PEER: \"a: b\"\nRATE: 10\n");

    // The id works where a name does.
    let id = created["extId"].as_str().unwrap().to_owned();
    let started = popd.json(&["start", &id]).await;
    assert_eq!(started["status"], "RUNNING");
    assert_eq!(started["metadata"]["RATE"], "10");

    let yaml = popd.ok(&["servers", "web"]).await;
    assert!(yaml.starts_with("- name: web\n  extId: "), "{yaml}");
    assert!(yaml.contains("\n  status: RUNNING\n"), "{yaml}");
    let table = popd.ok(&["servers", "--output", "table"]).await;
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("NAME  ID"), "{table}");
    assert!(lines[1].starts_with("web   ") && lines[1].contains(" RUNNING "), "{table}");

    assert_eq!(popd.ok(&["logs", "web", "--tail", "2"]).await, format!("{id} two\n{id} three\n"));

    // --timeout is the call's deadline, which popd takes as the stop's grace period.
    let stopped = popd.json(&["stop", "web", "--timeout", "3"]).await;
    assert_eq!(stopped["status"], "EXITED");
    let grace = popd.fake.calls().into_iter().find_map(|call| match call {
        Call::Stop { timeout, .. } => Some(timeout),
        _ => None,
    });
    assert!(grace.is_some_and(|t| t <= Duration::from_secs(3)), "{grace:?}");

    assert_eq!(popd.json(&["rm", "web"]).await, serde_json::json!(["web"]));
    assert_eq!(popd.ok(&["servers"]).await, "[]\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn spawn_creates_and_starts_and_catalogues_list() {
    let popd = Popd::start().await;
    let spawned =
        popd.json(&["spawn", &format!("image={IMAGE}"), "name=sipp", "ip=10.250.0.9"]).await;
    assert_eq!(spawned["status"], "RUNNING");
    assert_eq!(spawned["ips"]["private"], serde_json::json!(["10.250.0.9"]));
    assert!(spawned["started"].as_str().unwrap().ends_with('Z'), "{spawned}");

    let images = popd.json(&["images"]).await;
    assert_eq!(images[0]["names"][0], IMAGE);
    assert_eq!(popd.json(&["images", IMAGE]).await.as_array().map(Vec::len), Some(1));
    assert!(!popd.json(&["flavours"]).await.as_array().unwrap().is_empty());
    let info = popd.json(&["info"]).await;
    assert_eq!(info["name"], "site-t");
    popd.ok(&["rm", "sipp"]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn info_needs_no_credentials() {
    let popd = Popd::start().await;
    let out = popd.command().env_remove("POP_AUTH").args(["pop", "info"]).output().await.unwrap();
    assert!(out.status.success(), "{}", crate::harness::stderr(&out));
    let yaml = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(yaml.contains("\nname: site-t\n"), "{yaml}");
}
