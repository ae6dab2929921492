//! Lifecycle scripts (issue 14): launch → ACTIVE of a two-VNF service on a native site whose
//! client runs a script at every lifecycle event it can meet at a launch (INSTANTIATE,
//! CONFIGURE once per server, START), against the same service without a package, in the same
//! run, interleaved. No published anchor: Open Baton's generic VNF manager runs its scripts
//! over an EMS agent in each VM. Exec's own latency is the `exec` suite's.

use std::time::Instant;

use anyhow::{Context, Result};
use archipel_nfvo::api::dto::InstantiateNsRequest;
use archipel_testkit::{require_root, PopdProcess, PopdRuntime, TestSubnet};
use serde_json::{json, Value};

use crate::nfvo::{add_site, launch_placed, teardown, Nfvod};
use crate::stats::summarize;

const IMAGE: &str = "archipel-test/busybox:latest";
const EVENTS: [(&str, &str); 3] =
    [("INSTANTIATE", "instantiate.sh"), ("CONFIGURE", "configure.sh"), ("START", "start.sh")];

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    let runs: usize = match std::env::var("ARCHIPEL_BENCH_SCRIPTS_RUNS") {
        Ok(v) => v.parse().context("ARCHIPEL_BENCH_SCRIPTS_RUNS: a number")?,
        Err(_) => 10,
    };
    let subnet = TestSubnet::lease();
    let popd = PopdProcess::start(bin, PopdRuntime::Native, &subnet.slash24(0), &[]);
    let nfvo = Nfvod::start(bin, &subnet.slash22(1), 27)?;
    let client = nfvo.client().await?;
    add_site(&client, "site-a", &popd).await?;
    let package = client.upload_package(package()?).await?.id;
    let with = client.onboard_nsd(nsd(Some(&package)).to_string().into_bytes()).await?.id;
    let without = client.onboard_nsd(nsd(None).to_string().into_bytes()).await?.id;

    // One untimed round of each first.
    let (mut scripted, mut plain) = (Vec::new(), Vec::new());
    for i in 0..=runs {
        let mut turns = [true, false];
        if i % 2 == 1 {
            turns.reverse();
        }
        for with_scripts in turns {
            let nsd = if with_scripts { &with } else { &without };
            let t = Instant::now();
            let ns = launch_placed(&client, nsd, InstantiateNsRequest::default()).await?;
            let elapsed = t.elapsed();
            teardown(&client, &ns).await?;
            if i > 0 {
                if with_scripts { &mut scripted } else { &mut plain }.push(elapsed);
            }
        }
    }
    let (s, p) = (summarize(&scripted), summarize(&plain));
    println!("## Lifecycle scripts: launch with and without a VNF package (native site)\n");
    println!("| measure | with scripts (3 Exec) | without, same run |");
    println!("| --- | --- | --- |");
    println!("| launch → ACTIVE, median of {} | {s} | {p} |", s.n);
    println!("| cost of the scripts | {:.1} ms | |\n", s.median_ms - p.median_ms);
    Ok(())
}

/// An Open Baton package of three scripts that each write a line, as a tar.
fn package() -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    std::fs::create_dir(root.join("scripts"))?;
    std::fs::write(root.join("Metadata.yaml"), "name: bench-client\n")?;
    std::fs::write(root.join("vnfd.json"), "{\"name\": \"client\"}")?;
    for (event, script) in EVENTS {
        let body = format!("echo \"{event} $hostname $server_private\" >> lifecycle.log\n");
        std::fs::write(root.join("scripts").join(script), body)?;
    }
    let tar = root.join("package.tar");
    let status = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(root)
        .args(["Metadata.yaml", "vnfd.json", "scripts"])
        .status()
        .context("run tar")?;
    anyhow::ensure!(status.success(), "tar failed");
    Ok(std::fs::read(tar)?)
}

/// A server and a client that depends on its address; the client has the package's scripts.
fn nsd(package: Option<&str>) -> Value {
    let vnfd = |name: &str| {
        json!({
            "name": name, "type": name, "endpoint": "docker",
            "vdu": [{"vm_image": [IMAGE], "scale_in_out": 2,
                     "vnfc": [{"connection_point": [{"virtual_link_reference": "private"}]}]}],
            "virtual_link": [{"name": "private"}],
            "deployment_flavour": [{"flavour_key": "docker.container"}]
        })
    };
    let mut client = vnfd("client");
    if let Some(package) = package {
        client["vnfPackageLocation"] = json!(package);
        client["lifecycle_event"] = EVENTS
            .iter()
            .map(|(event, script)| json!({"event": event, "lifecycle_events": [script]}))
            .collect();
    }
    json!({
        "name": if package.is_some() { "scripted" } else { "plain" },
        "vendor": "bench", "version": "1",
        "vld": [{"name": "private"}],
        "vnfd": [vnfd("server"), client],
        "vnf_dependency": [{"source": {"name": "server"}, "target": {"name": "client"},
                            "parameters": ["private"]}]
    })
}
