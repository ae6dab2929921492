//! The native runtime against the Docker runtime for the same tiny workload through the same
//! Pop API, in the same run, interleaved; then 200 native containers started at once: the time
//! to start them all and popd's resident memory. No published anchor: the comparison is the
//! Docker path measured beside it.

use std::time::{Duration, Instant};

use anyhow::Result;
use archipel_testkit::{require_docker, require_root, PopdRuntime};
use futures::future::try_join_all;

use crate::popd::Popd;
use crate::stats::{rss_mib, summarize};

const RUNS: usize = 30;
const MANY: usize = 200;

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    require_docker();
    let native = Popd::start(bin, PopdRuntime::Native).await?;
    let docker = Popd::start(bin, PopdRuntime::Docker).await?;

    let (mut native_lat, mut docker_lat) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let mut turns = [(&native, &mut native_lat), (&docker, &mut docker_lat)];
        if i % 2 == 1 {
            turns.reverse();
        }
        for (popd, lat) in turns {
            let name = format!("{}-b{i}", popd.process.name);
            let t = Instant::now();
            popd.create_start(&name, &format!("{}10", popd.prefix)).await?;
            lat.push(t.elapsed());
            popd.delete(&name).await?;
            // The engine finishes tearing down in the background; neither path pays for the
            // other's.
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    let idle_rss = rss_mib(native.process.pid());

    let t = Instant::now();
    try_join_all((0..MANY).map(|i| {
        let name = format!("{}-m{i}", native.process.name);
        let ip = format!("{}{}", native.prefix, 20 + i);
        let native = &native;
        async move { native.create_start(&name, &ip).await }
    }))
    .await?;
    let many_time = t.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let busy_rss = rss_mib(native.process.pid());

    let (n, d) = (summarize(&native_lat), summarize(&docker_lat));
    println!("## Native runtime against Docker (same Pop API, same workload)\n");
    println!("| measure | native | Docker, same run |");
    println!("| --- | --- | --- |");
    println!("| Create+Start, median of {} | {n} | {d} |", n.n);
    println!("| native / Docker | {:.2}× | |", n.median_ms / d.median_ms);
    println!("| popd resident memory before | {idle_rss:.1} MiB | |");
    println!("| {MANY} native containers started at once | {:.1} s | |", many_time.as_secs_f64());
    println!("| popd resident memory with {MANY} running | {busy_rss:.1} MiB | |\n");
    Ok(())
}
