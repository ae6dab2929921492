//! The native runtime against the Docker runtime for the same tiny workload through the same
//! Pop API, in the same run, interleaved; the native runtime twice: from its directory image
//! (the host's busybox in the host's files: the process-in-a-namespace of before, now with its
//! own PID namespace) and from the Docker image itself (`docker save`d and imported, isolated:
//! an overlay root pivoted into, its own PID namespace, `/proc`, `/dev`, host name, Docker's
//! capabilities); then 200 isolated native containers started at once: the time to start them
//! all and popd's resident memory. No published anchor: the
//! comparison is the Docker path measured beside it (issue 13's goal: the isolated native start
//! under 20 ms median, at least 10x faster than Docker).

use std::time::{Duration, Instant};

use anyhow::Result;
use archipel_testkit::{require_docker, require_root, PopdRuntime};
use futures::future::try_join_all;

use crate::popd::{Popd, IMAGE};
use crate::stats::{rss_mib, summarize};

const RUNS: usize = 30;
const MANY: usize = 200;

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    require_docker();
    let native = Popd::start(bin, PopdRuntime::Native).await?;
    let docker = Popd::start(bin, PopdRuntime::Docker).await?;
    let oci = import_docker_image(&native)?;

    let (mut native_lat, mut oci_lat, mut docker_lat) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..RUNS {
        let mut turns = [
            (&native, &mut native_lat, IMAGE),
            (&native, &mut oci_lat, oci.as_str()),
            (&docker, &mut docker_lat, IMAGE),
        ];
        turns.rotate_left(i % 3);
        for (popd, lat, image) in turns {
            let name = format!("{}-b{i}", popd.process.name);
            let t = Instant::now();
            popd.create_start_image(&name, &format!("{}10", popd.prefix), image).await?;
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
        let (native, oci) = (&native, oci.as_str());
        async move { native.create_start_image(&name, &ip, oci).await }
    }))
    .await?;
    let many_time = t.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let busy_rss = rss_mib(native.process.pid());

    let (n, o, d) = (summarize(&native_lat), summarize(&oci_lat), summarize(&docker_lat));
    println!("## Native runtime against Docker (same Pop API, same workload)\n");
    println!("| measure | native | Docker, same run |");
    println!("| --- | --- | --- |");
    println!("| Create+Start of the directory image (host files), median of {} | {n} | {d} |", n.n);
    println!("| native / Docker | {:.2}× | |", n.median_ms / d.median_ms);
    println!(
        "| Create+Start of the Docker image imported, isolated (overlay root, PID namespace, capabilities) | {o} | |"
    );
    println!("| imported image native / Docker | {:.2}× | |", o.median_ms / d.median_ms);
    println!("| popd resident memory before | {idle_rss:.1} MiB | |");
    let many = many_time.as_secs_f64();
    println!("| {MANY} isolated native containers started at once | {many:.1} s | |");
    println!("| popd resident memory with {MANY} isolated running | {busy_rss:.1} MiB | |\n");
    Ok(())
}

/// The Docker test image, `docker save`d under a tag of its own and imported into `native`'s
/// catalogue: its name there.
fn import_docker_image(native: &Popd) -> Result<String> {
    let tag = format!("archipel-test/bench-oci-{}:1", std::process::id());
    let dir = tempfile::tempdir()?;
    let archive = dir.path().join("image.tar");
    archipel_testkit::sh(&format!("docker tag {IMAGE} {tag}"));
    archipel_testkit::sh(&format!("docker save -o {} {tag}", archive.display()));
    archipel_testkit::sh(&format!("docker rmi {tag} >/dev/null"));
    let out = native.process.cli().args(["pop", "image", "import"]).arg(&archive).output()?;
    anyhow::ensure!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    Ok(tag)
}
