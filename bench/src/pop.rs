//! Pop Create+Start against the same container created and started directly through the Docker
//! API, in the same run, interleaved; Login's cost; popd's resident memory idle and with 100
//! containers. Anchor: the thesis (5.4): Pop latency "negligible" against raw Docker once a
//! session is cached, Login expensive; the MANO components under 20 MiB together.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_proto::v1 as pb;
use archipel_testkit::{require_docker, PopdRuntime};
use bollard::container::{
    Config, CreateContainerOptions, NetworkingConfig, RemoveContainerOptions, StartContainerOptions,
};
use bollard::models::{EndpointIpamConfig, EndpointSettings, HostConfig};
use bollard::Docker;

use crate::popd::{Popd, IMAGE};
use crate::stats::{rss_mib, summarize};

const RUNS: usize = 30;
const MANY: usize = 100;
const SETTLE: Duration = Duration::from_millis(300);

pub async fn run(bin: &str) -> Result<()> {
    require_docker();
    let popd = Popd::start(bin, PopdRuntime::Docker).await?;
    let (user, password) = popd.process.auth.split_once(':').context("auth")?;
    let docker = Docker::connect_with_local_defaults()?;
    let prefix = popd.prefix.clone();
    let instance = popd.process.name.clone();

    let mut logins = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        popd.client
            .clone()
            .login(pb::Credentials { username: user.into(), password: password.into() })
            .await?;
        logins.push(t.elapsed());
    }
    let idle_rss = rss_mib(popd.process.pid());

    // Both paths in the same conditions: which one goes first alternates, and the engine is
    // given time to finish tearing the last container down (Docker removes networking state in
    // the background) before the next one is timed.
    let (mut pop_lat, mut raw_lat) = (Vec::new(), Vec::new());
    let net = popd.process.default_network.clone();
    for i in 0..RUNS {
        for pop_turn in if i % 2 == 0 { [true, false] } else { [false, true] } {
            if pop_turn {
                let name = format!("{instance}-p{i}");
                let t = Instant::now();
                popd.create_start(&name, &format!("{prefix}10")).await?;
                pop_lat.push(t.elapsed());
                popd.delete(&name).await?;
            } else {
                let raw = format!("{instance}-d{i}");
                let t = Instant::now();
                raw_create_start(&docker, &raw, &net, &format!("{prefix}11"), &instance).await?;
                raw_lat.push(t.elapsed());
                let force = RemoveContainerOptions { force: true, ..Default::default() };
                docker.remove_container(&raw, Some(force)).await?;
            }
            tokio::time::sleep(SETTLE).await;
        }
    }

    let t = Instant::now();
    for i in 0..MANY {
        popd.create_start(&format!("{instance}-m{i}"), &format!("{prefix}{}", 20 + i)).await?;
    }
    let many_time = t.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let busy_rss = rss_mib(popd.process.pid());

    let (pop, raw, login) = (summarize(&pop_lat), summarize(&raw_lat), summarize(&logins));
    let overhead = (pop.median_ms / raw.median_ms - 1.0) * 100.0;
    println!("## Pop VIM on Docker (thesis 5.4)\n");
    println!("| measure | Archipel | baseline, same run | anchor |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| Create+Start, median of {} (session cached) | {} | raw Docker API create+start {} | thesis: \"negligible\"; goal ≤ +5 % |",
        pop.n, pop, raw
    );
    println!("| Pop overhead on the Docker path | {overhead:+.1} % | | goal ≤ +5 % |");
    println!("| Login, median of {} (argon2id) | {:.1} ms | | thesis: expensive (bcrypt), hidden by the session cache |", login.n, login.median_ms);
    println!("| popd resident memory, idle | {idle_rss:.1} MiB | | goal < 10 MiB; thesis: 3 components < 20 MiB |");
    println!("| popd resident memory, {MANY} containers running | {busy_rss:.1} MiB | | thesis: nearly constant as containers are added |");
    println!(
        "| create and start {MANY} containers one by one | {:.1} s | | |\n",
        many_time.as_secs_f64()
    );
    Ok(())
}

async fn raw_create_start(
    docker: &Docker,
    name: &str,
    net: &str,
    ip: &str,
    instance: &str,
) -> Result<()> {
    let endpoint = EndpointSettings {
        ipam_config: Some(EndpointIpamConfig {
            ipv4_address: Some(ip.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let config = Config {
        image: Some(IMAGE.to_owned()),
        env: Some(vec!["BENCH=1".to_owned()]),
        // Not `archipel.popd`: popd would remove it as an orphan of its own.
        labels: Some(HashMap::from([("archipel.bench".to_owned(), instance.to_owned())])),
        host_config: Some(HostConfig { network_mode: Some(net.to_owned()), ..Default::default() }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: HashMap::from([(net.to_owned(), endpoint)]),
        }),
        ..Default::default()
    };
    let options = CreateContainerOptions { name: name.to_owned(), platform: None };
    docker.create_container(Some(options), config).await?;
    docker.start_container(name, None::<StartContainerOptions<String>>).await?;
    Ok(())
}
