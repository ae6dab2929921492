//! Issue 17: a VNFC's Create+Start on a Swarm site of three nodes (`popd --runtime swarm`,
//! each node its own `dockerd` in a namespace) against the same on a single-host Docker site,
//! in the same run, interleaved; and how the Swarm site spread the containers over its nodes.

use std::time::{Duration, Instant};

use anyhow::Result;
use archipel_testkit::swarm::Swarm;
use archipel_testkit::{require_docker, require_root, PopdRuntime};

use crate::popd::{Popd, IMAGE};
use crate::stats::summarize;

const RUNS: usize = 20;
const SPREAD: usize = 9;
const SETTLE: Duration = Duration::from_millis(300);

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    require_docker();
    let swarm = Swarm::up(3, &[IMAGE]);
    let on_swarm = Popd::start_swarm(bin, &swarm).await?;
    let on_docker = Popd::start(bin, PopdRuntime::Docker).await?;
    let (mut swarm_lat, mut docker_lat) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        for swarm_turn in if i % 2 == 0 { [true, false] } else { [false, true] } {
            let (popd, times) = if swarm_turn {
                (&on_swarm, &mut swarm_lat)
            } else {
                (&on_docker, &mut docker_lat)
            };
            let name = format!("{}-r{i}", popd.process.name);
            let t = Instant::now();
            popd.create_start(&name, &format!("{}10", popd.prefix)).await?;
            times.push(t.elapsed());
            popd.delete(&name).await?;
            tokio::time::sleep(SETTLE).await;
        }
    }
    for i in 0..SPREAD {
        let name = format!("{}-s{i}", on_swarm.process.name);
        on_swarm.create_start(&name, &format!("{}{}", on_swarm.prefix, 20 + i)).await?;
    }
    let mut per_node: Vec<String> = Vec::new();
    for node in &swarm.nodes {
        let held = swarm.containers().iter().filter(|(n, _)| *n == node.name).count();
        per_node.push(format!("{} {held}", node.name));
    }
    let (s, d) = (summarize(&swarm_lat), summarize(&docker_lat));
    println!("## Swarm site: a VNFC's Create+Start (issue 17)\n");
    println!("| measure | Swarm site (3 nodes) | single-host Docker site, same run | anchor |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| Create+Start, median of {} | {s} | {d} | Multi-Swarm paper: Swarm sites, no figure |",
        s.n
    );
    println!("| {SPREAD} containers placed (fewest first) | {} | | |\n", per_node.join(", "));
    drop((on_swarm, on_docker, swarm));
    let rounds = crate::diminet::env_usize("ARCHIPEL_BENCH_DP_ROUNDS", 3)?;
    crate::swarm_paths::run(bin, rounds)
}
