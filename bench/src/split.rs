//! One network service over two sites (issue 8): the SIPp service launched to ACTIVE with the
//! server on site a and the client on site b (its virtual link extended over VXLAN by the
//! agents) against the same service with both on site a, in the same run, interleaved, on a
//! native lab; and, in the same run, the time the agents take to set up such an extension
//! alone (the inter-site share of the split launch).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_nfvo::api::dto::{InstantiateNsRequest, SiteRequest};

use crate::lab::Lab;
use crate::nfvo::{launch_placed, teardown, Nfvod, NSD};
use crate::stats::summarize;

pub async fn run(bin: &str) -> Result<()> {
    let runs: usize = match std::env::var("ARCHIPEL_BENCH_SPLIT_RUNS") {
        Ok(v) => v.parse().context("ARCHIPEL_BENCH_SPLIT_RUNS: a number")?,
        Err(_) => 10,
    };
    let lab = Lab::up(bin, 2)?;
    let nfvo = Nfvod::start(bin, &lab.subnet.slash24(8).replace("/24", "/22"), 27)?;
    let client = nfvo.client().await?;
    for site in &lab.ctx.sites {
        let (username, password) = site.popd_auth.split_once(':').context("popd auth")?;
        let request = SiteRequest {
            name: site.name.clone(),
            pop_endpoint: site.popd_url.clone(),
            username: username.into(),
            password: password.into(),
            agent_endpoint: Some(site.agent_url.clone()),
            agent_token: Some(site.agent_token.clone()),
        };
        client.add_site(&request).await.with_context(|| format!("register site {}", site.name))?;
    }
    let nsd = std::fs::read(NSD).context("read the SIPp NSD")?;
    let nsd_id = client.onboard_nsd(nsd).await?.id;
    let place = |client_site: &str| InstantiateNsRequest {
        placement: BTreeMap::from([
            ("sipp-server".to_owned(), "a".to_owned()),
            ("sipp-client".to_owned(), client_site.to_owned()),
        ]),
        ..Default::default()
    };

    // One untimed round of each first, then alternating order.
    let (mut single, mut split, mut extension) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..=runs {
        let mut turns = ["a", "b"];
        if i % 2 == 1 {
            turns.reverse();
        }
        for client_site in turns {
            let t = Instant::now();
            let ns = launch_placed(&client, &nsd_id, place(client_site)).await?;
            let elapsed = t.elapsed();
            teardown(&client, &ns).await?;
            if i > 0 {
                if client_site == "a" { &mut single } else { &mut split }.push(elapsed);
            }
        }
        let took = extend_alone(&lab, i)?;
        if i > 0 {
            extension.push(took);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let (one, two, ext) = (summarize(&single), summarize(&split), summarize(&extension));
    println!("## One network service over two sites (native lab)\n");
    println!("| measure | Archipel | anchor |");
    println!("| --- | --- | --- |");
    println!("| launch → ACTIVE, SIPp on one site, median of {} | {one} | |", one.n);
    println!("| launch → ACTIVE, SIPp split over two sites, median of {} | {two} | |", two.n);
    println!(
        "| split / one site | {:.2}× | goal ≤ 1.2×; Multi-Swarm: cross-cluster overlay set up by a helper, no figure |",
        two.median_ms / one.median_ms
    );
    println!("| the same L2 extension set up alone by the agents, median | {ext} | |");
    println!(
        "| inter-site share of the split launch | {:.0} % | |\n",
        100.0 * ext.median_ms / two.median_ms
    );
    Ok(())
}

/// Times the agents' North create of an L2 extension of a fresh network of site a over b, as
/// the NFVO asks it; then removes both.
fn extend_alone(lab: &Lab, i: usize) -> Result<Duration> {
    let net = format!("alone{i}");
    lab.network("a", &net, &lab.slash25(2 + u32::try_from(i % 4)?))?;
    let resources = ["--resource", &format!("a:{net}"), "--resource", &format!("b:{net}")];
    let args = ["intersite", "create", "--type", "l2", "--name", &net];
    let t = Instant::now();
    let service = lab.json("a", &[&args[..], &resources[..]].concat())?;
    let took = t.elapsed();
    let id = service["global_id"].as_str().context("a global id")?;
    lab.run("a", &["intersite", "rm", id])?;
    lab.run("a", &["pop", "network", "rm", &net])?;
    Ok(took)
}
