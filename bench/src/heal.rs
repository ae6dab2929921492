//! Watch and heal (issue 15): the SIPp server's workload killed (`kill -9`) behind popd's back
//! on a native and on a Docker site; the time until the NSR shows it DEGRADED, and until a heal
//! asked for at that moment has the server RUNNING again. With `--full`, 20 runs per runtime
//! and the NFVO's memory while it watches 20 services on 3 native sites.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use archipel_nfvo::api::dto::{HealNsRequest, InstantiateNsRequest, NsInstance};
use archipel_nfvo::client::NfvoClient;
use archipel_testkit::{docker, native, require_root, sh, PopdProcess, PopdRuntime, TestSubnet};
use futures::future::try_join_all;

use crate::nfvo::{add_site, launch_placed, teardown, Nfvod, NSD};
use crate::stats::{rss_mib, summarize};

const POLL: Duration = Duration::from_millis(20);
const DEADLINE: Duration = Duration::from_secs(60);
const SERVICES: usize = 20;
const SITES: usize = 3;

pub async fn run(bin: &str, full: bool) -> Result<()> {
    require_root();
    let runs = if full { 20 } else { 3 };
    println!("## Watch and heal: a workload killed, seen, healed\n");
    println!("| runtime | death → NSR DEGRADED, median of {runs} | death → healed VNFC RUNNING |");
    println!("| --- | --- | --- |");
    for rt in [PopdRuntime::Native, PopdRuntime::Docker] {
        let (seen, healed) = kill_and_heal(bin, rt, runs).await?;
        let (s, h) = (summarize(&seen), summarize(&healed));
        println!("| {rt:?} | {s} | {h} |");
    }
    println!();
    if full {
        let rss = watched_memory(bin).await?;
        println!("| measure | value |\n| --- | --- |");
        println!(
            "| NFVO resident memory watching {SERVICES} services on {SITES} sites | {rss:.1} MiB |\n"
        );
    }
    Ok(())
}

/// One site, one service: `runs` kills of the server's workload, each healed at once.
async fn kill_and_heal(
    bin: &str,
    rt: PopdRuntime,
    runs: usize,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let subnet = TestSubnet::lease();
    let popd = PopdProcess::start(bin, rt, &subnet.slash24(0), &[]);
    let nfvo = Nfvod::start(bin, &subnet.slash22(1), 24)?;
    let client = nfvo.client().await?;
    add_site(&client, "site-a", &popd).await?;
    let nsd_id = client.onboard_nsd(std::fs::read(NSD)?).await?.id;
    let ns = launch_placed(&client, &nsd_id, InstantiateNsRequest::default()).await?;
    followed(&client).await?;
    let (mut seen, mut healed) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let server = server(&client.ns_instance(&ns).await?)?;
        let t = Instant::now();
        kill(&popd, rt, &server.0, &server.1)?;
        until(&client, &ns, "DEGRADED").await?;
        seen.push(t.elapsed());
        client.heal(&ns, &HealNsRequest::default()).await?;
        until(&client, &ns, "HEALTHY").await?;
        healed.push(t.elapsed());
    }
    teardown(&client, &ns).await?;
    Ok((seen, healed))
}

/// The server's container name and address.
fn server(ns: &NsInstance) -> Result<(String, String)> {
    let vnf = ns.vnf_instance.iter().find(|v| v.vnfd_id == "sipp-server").context("no server")?;
    let vnfc = vnf.vnfc_instances.first().context("no server instance")?;
    let addr = vnfc.addresses.values().next().context("no server address")?;
    Ok((vnfc.name.clone(), addr.clone()))
}

/// `kill -9` of the workload: Docker's, or the first process of the native namespace that
/// holds `addr`.
fn kill(popd: &PopdProcess, rt: PopdRuntime, name: &str, addr: &str) -> Result<()> {
    match rt {
        PopdRuntime::Docker => {
            docker(&["kill", "--signal", "KILL", name]);
        }
        PopdRuntime::Native => {
            let ns = native::namespaces(&popd.native_netns_prefix())
                .into_iter()
                .find(|ns| {
                    sh(&format!("ip -n {ns} -4 -o addr show")).contains(&format!("inet {addr}/"))
                })
                .with_context(|| format!("no namespace holds {name}'s address {addr}"))?;
            let pid = *native::pids(&ns).first().context("no process in the namespace")?;
            sh(&format!("kill -9 {pid}"));
        }
    }
    Ok(())
}

/// Waits until the NFVO's watch follows every site (it looks for new sites every few seconds).
async fn followed(client: &NfvoClient) -> Result<()> {
    let deadline = Instant::now() + DEADLINE;
    while client.sites().await?.iter().any(|s| s.reachability != "REACHABLE") {
        if Instant::now() > deadline {
            bail!("the NFVO never followed its sites");
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}

/// Polls the NSR until its health is `state` and no operation runs on it.
async fn until(client: &NfvoClient, ns: &str, state: &str) -> Result<()> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let record = client.ns_instance(ns).await?;
        if record.health.state == state {
            let ops = client.op_occs().await?;
            if ops.iter().all(|op| op.ns_instance_id != ns || op.operation_state != "PROCESSING") {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("network service {ns} never {state}: {:?}", record.health);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The NFVO's resident memory once it watches `SERVICES` SIPp services spread over `SITES`
/// native sites.
async fn watched_memory(bin: &str) -> Result<f64> {
    let subnet = TestSubnet::lease();
    let popds: Vec<PopdProcess> = (0..SITES)
        .map(|i| {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            PopdProcess::start(bin, PopdRuntime::Native, &subnet.slash24(i), &[])
        })
        .collect();
    let nfvo = Nfvod::start(bin, &subnet.slash22(1), 27)?;
    let client = nfvo.client().await?;
    let sites: Vec<String> = (0..SITES).map(|i| format!("site-{i}")).collect();
    for (name, popd) in sites.iter().zip(&popds) {
        add_site(&client, name, popd).await?;
    }
    let nsd_id = client.onboard_nsd(std::fs::read(NSD)?).await?.id;
    let launches = (0..SERVICES).map(|i| {
        let site = sites[i % SITES].clone();
        let placement = BTreeMap::from([
            ("sipp-server".to_owned(), site.clone()),
            ("sipp-client".to_owned(), site),
        ]);
        launch_placed(&client, &nsd_id, InstantiateNsRequest { placement, ..Default::default() })
    });
    let services = try_join_all(launches).await?;
    followed(&client).await?;
    let rss = rss_mib(nfvo.pid());
    try_join_all(services.iter().map(|ns| teardown(&client, ns))).await?;
    Ok(rss)
}
