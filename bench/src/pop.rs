//! Pop Create+Start against the same container created and started directly through the Docker
//! API, in the same run, interleaved; Login's cost; popd's resident memory idle and with 100
//! containers. Anchor: the thesis (5.4): Pop latency "negligible" against raw Docker once a
//! session is cached, Login expensive; the MANO components under 20 MiB together.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_proto::v1 as pb;
use archipel_testkit::{require_docker, PopdProcess, PopdRuntime, TestSubnet};
use bollard::container::{
    Config, CreateContainerOptions, NetworkingConfig, RemoveContainerOptions, StartContainerOptions,
};
use bollard::models::{EndpointIpamConfig, EndpointSettings, HostConfig};
use bollard::Docker;
use pb::pop_client::PopClient;

use crate::stats::{rss_mib, summarize};

const IMAGE: &str = "archipel-test/busybox:latest";
const RUNS: usize = 30;
const MANY: usize = 100;

fn authed<T>(token: &str, msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert("token", token.parse().expect("ascii token"));
    req
}

fn by_name(name: &str) -> pb::Filter {
    pb::Filter { options: Some(pb::filter::Options::Name(name.into())) }
}

fn config(name: &str, net: &str, ip: &str) -> pb::ContainerConfig {
    let ep = pb::Endpoint {
        net_name: net.into(),
        ipv4: Some(pb::Ip { address: ip.into(), subnet: None }),
        ..Default::default()
    };
    pb::ContainerConfig {
        name: name.into(),
        image_id: IMAGE.into(),
        endpoints: [(net.to_owned(), ep)].into(),
        ..Default::default()
    }
}

pub async fn run(bin: &str) -> Result<()> {
    require_docker();
    let subnet = TestSubnet::lease();
    let cidr = subnet.slash24(0);
    let prefix = cidr.trim_end_matches("0/24").to_owned();
    let popd = PopdProcess::start(bin, PopdRuntime::Docker, &cidr, &[]);
    let net = popd.default_network.clone();
    let (user, password) = popd.auth.split_once(':').context("auth")?;
    let mut pop = PopClient::connect(popd.endpoint.clone()).await?;
    let docker = Docker::connect_with_local_defaults()?;

    let mut logins = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let t = Instant::now();
        token = pop
            .login(pb::Credentials { username: user.into(), password: password.into() })
            .await?
            .into_inner()
            .value;
        logins.push(t.elapsed());
    }
    let idle_rss = rss_mib(popd.pid());

    let (mut pop_lat, mut raw_lat) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let name = format!("{}-p{i}", popd.name);
        let t = Instant::now();
        pop.create(authed(&token, config(&name, &net, &format!("{prefix}10")))).await?;
        pop.start(authed(&token, by_name(&name))).await?;
        pop_lat.push(t.elapsed());
        pop.delete(authed(&token, by_name(&name))).await?;

        let raw = format!("{}-d{i}", popd.name);
        let t = Instant::now();
        raw_create_start(&docker, &raw, &net, &format!("{prefix}11"), &popd.name).await?;
        raw_lat.push(t.elapsed());
        docker
            .remove_container(
                &raw,
                Some(RemoveContainerOptions { force: true, ..Default::default() }),
            )
            .await?;
    }

    let t = Instant::now();
    for i in 0..MANY {
        let name = format!("{}-m{i}", popd.name);
        pop.create(authed(&token, config(&name, &net, &format!("{prefix}{}", 20 + i)))).await?;
        pop.start(authed(&token, by_name(&name))).await?;
    }
    let many_time = t.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let busy_rss = rss_mib(popd.pid());
    report(
        &summarize(&pop_lat),
        &summarize(&raw_lat),
        &summarize(&logins),
        idle_rss,
        busy_rss,
        many_time,
    );
    drop(pop);
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
        labels: Some(HashMap::from([("archipel.bench".to_owned(), instance.to_owned())])),
        host_config: Some(HostConfig { network_mode: Some(net.to_owned()), ..Default::default() }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: HashMap::from([(net.to_owned(), endpoint)]),
        }),
        ..Default::default()
    };
    docker
        .create_container(
            Some(CreateContainerOptions { name: name.to_owned(), platform: None }),
            config,
        )
        .await?;
    docker.start_container(name, None::<StartContainerOptions<String>>).await?;
    Ok(())
}

fn report(
    pop: &crate::stats::Summary,
    raw: &crate::stats::Summary,
    login: &crate::stats::Summary,
    idle_rss: f64,
    busy_rss: f64,
    many: Duration,
) {
    let overhead = (pop.median_ms / raw.median_ms - 1.0) * 100.0;
    println!("## Pop VIM on Docker (thesis 5.4)\n");
    println!("| measure | Archipel | baseline, same run | anchor |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| Create+Start, median of {} (session cached) | {:.1} ms (mean {:.1} ± {:.1}) | raw Docker API create+start {:.1} ms (mean {:.1} ± {:.1}) | thesis: \"negligible\"; goal ≤ +5 % |",
        pop.n, pop.median_ms, pop.mean_ms, pop.stderr_ms, raw.median_ms, raw.mean_ms, raw.stderr_ms
    );
    println!("| Pop overhead on the Docker path | {overhead:+.1} % | | goal ≤ +5 % |");
    println!("| Login, median of {} (argon2id) | {:.1} ms | | thesis: expensive (bcrypt), hidden by the session cache |", login.n, login.median_ms);
    println!("| popd resident memory, idle | {idle_rss:.1} MiB | | goal < 10 MiB; thesis: 3 components < 20 MiB |");
    println!("| popd resident memory, {MANY} containers running | {busy_rss:.1} MiB | | thesis: nearly constant as containers are added |");
    println!(
        "| time to create and start {MANY} containers one by one | {:.1} s | | |\n",
        many.as_secs_f64()
    );
}
