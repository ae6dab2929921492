//! Issue 17's model of many sites: the agent core of every site in one process
//! (`archipel_agent::testing::world`: in-memory stores, a fake kernel, calls between agents made
//! directly), each call delayed by a simulated WAN (20 ms round trip). No daemon shares the
//! cores with another site's, so what grows with the sites is the design's own cost:
//!
//! - an L2 extension over every site of a world of 2, 50 and 500: the time to its answer, and
//!   the CPU time the whole world spent on it (one process: every agent's share), split into
//!   the master's and each participant's (the world measures the CPU each site spends
//!   answering calls; the master's is what its polls took less that, and less one read of the
//!   CPU clock per call answered, a system call no machine of its own would make), and the
//!   simulation's own (the runtime's timers and wake-ups). On two cores the process adds up what every
//!   site would do at once, so the time of one process grows with the sites' total CPU; the
//!   model's own figure is what the creation takes when each site has a machine of its own:
//!   the protocol's latency (the same creation on a paused clock, where only the simulated WAN
//!   takes time), plus the master's CPU, plus the slowest participant's (an upper bound: they
//!   overlap);
//! - one convergence pass of a master holding S two-site services spread over M sites: its
//!   wall time and the CPU time spent (the master's pushes and each participant's sync), per
//!   service; and the memory a service costs (the process's resident growth per service, every
//!   site's copy counted).
//!
//! CI runs a short variant (7 creations per size, 200 services on 10 sites); `--full` runs 15
//! creations and 2,000 services on 100 sites. The target (a pass over 10,000 services
//! on 100 sites under 1 s of the master's CPU) is extrapolated from these: making 10,000
//! services through the create path is minutes of setup.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_agent::testing::world::{thread_cpu, world, Site, Wan};
use archipel_agent::{CreateRequest, JoinRequest, ResourceRef, ServiceType};

use crate::stats::{cpu_ns, rss_mib, summarize};

/// The simulated WAN between any two sites.
const RTT: Duration = Duration::from_millis(20);

pub async fn run(full: bool) -> Result<()> {
    // First, while the process's heap is fresh: its growth is the services'.
    let (services, sites) = if full { (2_000, 100) } else { (200, 10) };
    convergence(services, sites).await?;
    let runs = if full { 15 } else { 7 };
    println!("| sites | L2 creation over all sites, one process, median of {runs} | CPU per creation | CPU per participant | master's CPU | the simulation's runtime | slowest participant's CPU | protocol latency (paused clock) | modelled: a machine per site |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let (mut two, mut two_modelled) = (None, None);
    let mut sizes = Vec::new();
    for n in [2, 50, 500] {
        let c = extensions(n, runs).await?;
        sizes.push((n, c.request_bytes, c.view_bytes));
        let latency = protocol_latency(n)?;
        let s = summarize(&c.times);
        let (master, slowest) = (median(c.master), median(c.slowest));
        let modelled = latency + master + slowest;
        let cpu_ms = c.cpu.as_secs_f64() * 1e3 / count(runs);
        println!(
            "| {n} | {:.1} ms | {cpu_ms:.1} ms | {:.2} ms | {} | {} | {} | {} | {} |",
            s.median_ms,
            cpu_ms / count(n),
            ms(master),
            ms(median(c.runtime)),
            ms(slowest),
            ms(latency),
            ms(modelled)
        );
        let base = *two.get_or_insert(s.median_ms);
        let base_modelled = *two_modelled.get_or_insert(modelled);
        if n == 500 {
            println!(
                "\n500 sites / 2 sites: {:.2}× in one process, {:.2}× modelled (goal: within 1.2×)\n",
                s.median_ms / base,
                modelled.as_secs_f64() / base_modelled.as_secs_f64()
            );
        }
    }
    println!("| sites | the North create, encoded (limit 16 KiB) | the view each participant is sent, encoded (East-West limit 64 KiB) |");
    println!("| --- | --- | --- |");
    for (n, request, view) in sizes {
        println!("| {n} | {:.1} KiB | {:.1} KiB |", kib(request), kib(view));
    }
    println!();
    Ok(())
}

fn kib(bytes: usize) -> f64 {
    count(bytes) / 1024.0
}

/// What `runs` creations at one size cost: their times, the process's CPU over them, and for
/// each the master's CPU, the simulation's (the runtime's timers and wake-ups, outside the
/// master's polls) and the slowest participant's.
struct Creations {
    times: Vec<Duration>,
    cpu: Duration,
    master: Vec<Duration>,
    runtime: Vec<Duration>,
    slowest: Vec<Duration>,
    /// The North request's JSON, and the view's each participant is sent.
    request_bytes: usize,
    view_bytes: usize,
}

/// A future and the CPU time of the threads that polled it, in its polls alone.
struct Metered<F> {
    inner: Pin<Box<F>>,
    cpu: Duration,
}

impl<F> Metered<F> {
    fn new(inner: F) -> Self {
        Self { inner: Box::pin(inner), cpu: Duration::ZERO }
    }
}

impl<F: Future> Future for Metered<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let before = thread_cpu();
        let out = self.inner.as_mut().poll(cx);
        self.cpu += thread_cpu().saturating_sub(before);
        out
    }
}

/// What one read of the thread's CPU clock costs (a system call, not in the vDSO).
fn clock_read() -> Duration {
    const READS: u32 = 10_000;
    let before = thread_cpu();
    for _ in 0..READS {
        std::hint::black_box(thread_cpu());
    }
    thread_cpu().saturating_sub(before) / READS
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// One L2 extension over every site of a world of `n` on a paused clock (its own thread and
/// runtime): only the simulated WAN moves the clock, so the time it takes is the protocol's
/// round trips alone, whatever the CPU.
fn protocol_latency(n: usize) -> Result<Duration> {
    let thread = std::thread::spawn(move || -> Result<Duration> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()?;
        runtime.block_on(async move {
            let names = names(n);
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let (sites, peers) = world(&refs).await;
            *peers.wan.lock().expect("the WAN") = Wan { rtt: RTT, ..Wan::default() };
            let master = &sites["s0"];
            master.vim.add("net", "10.0.0.0/16").await;
            let req = extension(&names, format!("p{n}"));
            let t = tokio::time::Instant::now();
            master.agent.create(req).await.with_context(|| format!("create at {n} sites"))?;
            Ok(t.elapsed())
        })
    });
    thread.join().map_err(|_| anyhow::anyhow!("the paused-clock run panicked"))?
}

/// An L2 extension of network `net` over every site of `names`.
fn extension(names: &[String], name: String) -> CreateRequest {
    let resources = names
        .iter()
        .map(|site| ResourceRef { site: site.clone(), network: "net".into() })
        .collect();
    CreateRequest { kind: ServiceType::L2, name, resources }
}

/// Site names of a world of `n`.
fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("s{i}")).collect()
}

/// `runs` L2 extensions of the first site's network over every site, each deleted after its
/// answer: what they cost.
async fn extensions(n: usize, runs: usize) -> Result<Creations> {
    let names = names(n);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (sites, peers) = world(&refs).await;
    *peers.wan.lock().expect("the WAN") = Wan { rtt: RTT, ..Wan::default() };
    let master = &sites["s0"];
    master.vim.add("net", "10.0.0.0/16").await;
    let mut c = Creations {
        times: Vec::with_capacity(runs),
        cpu: Duration::ZERO,
        master: Vec::new(),
        runtime: Vec::new(),
        slowest: Vec::new(),
        request_bytes: 0,
        view_bytes: 0,
    };
    let served = || peers.served.lock().expect("the CPU served").clone();
    let answered = || peers.answered.load(Ordering::Relaxed);
    let read = clock_read();
    for run in 0..runs {
        let req = extension(&names, format!("m{n}r{run}"));
        c.request_bytes = serde_json::to_vec(&req)?.len();
        let (served_before, before) = (served(), cpu_ns(std::process::id()));
        let answered_before = answered();
        let t = Instant::now();
        let mut create = Metered::new(master.agent.create(req));
        let service = (&mut create).await.with_context(|| format!("create at {n} sites"))?;
        c.times.push(t.elapsed());
        let spent = Duration::from_nanos(cpu_ns(std::process::id()).saturating_sub(before));
        let by_site: Vec<Duration> = served()
            .into_iter()
            .map(|(site, d)| {
                d.saturating_sub(served_before.get(&site).copied().unwrap_or_default())
            })
            .collect();
        c.cpu += spent;
        // The participants answer inside the master's polls (the calls are direct); so are the
        // reads of the clock that measure them, which no machine of its own would make.
        let reads = read * u32::try_from(answered() - answered_before).unwrap_or(u32::MAX);
        let by_participants: Duration = by_site.iter().sum();
        c.master.push(create.cpu.saturating_sub(by_participants).saturating_sub(reads));
        c.runtime.push(spent.saturating_sub(create.cpu));
        c.slowest.push(by_site.into_iter().max().unwrap_or_default());
        c.view_bytes = serde_json::to_vec(&JoinRequest { service: service.view() })?.len();
        master.agent.delete(&service.global_id).await.context("delete")?;
        // The fake kernels log every call for the tests to read: a creation over 500 sites
        // adds more than 10 MiB of lines, whose growth would land in the next runs' measures.
        for site in sites.values() {
            site.nl.take_calls();
        }
    }
    Ok(c)
}

/// `services` two-site L2 services mastered by one site, the other site of each taken in turn
/// among `sites`; then one convergence pass of the master, timed.
async fn convergence(services: usize, sites: usize) -> Result<()> {
    println!("## Model of many sites (agents in one process, {} ms RTT)\n", RTT.as_millis());
    let names = names(sites);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (world_sites, peers) = world(&refs).await;
    let master: &Site = &world_sites["s0"];
    let rss_before = rss_mib(std::process::id());
    let t = Instant::now();
    for j in 0..services {
        let net = format!("n{j}");
        let cidr = format!("10.{}.{}.0/24", j / 256, j % 256);
        master.vim.add(&net, &cidr).await;
        let other = &names[1 + j % (sites - 1)];
        let resources = vec![
            ResourceRef { site: "s0".into(), network: net.clone() },
            ResourceRef { site: other.clone(), network: net },
        ];
        let req = CreateRequest { kind: ServiceType::L2, name: format!("c{j}"), resources };
        master.agent.create(req).await.with_context(|| format!("service {j}"))?;
    }
    let made = t.elapsed();
    let per_service_kib = (rss_mib(std::process::id()) - rss_before) * 1024.0 / count(services);
    *peers.wan.lock().expect("the WAN") = Wan { rtt: RTT, ..Wan::default() };
    let before = cpu_ns(std::process::id());
    let t = Instant::now();
    master.agent.converge().await.context("the convergence pass")?;
    let wall = t.elapsed();
    let cpu = Duration::from_nanos(cpu_ns(std::process::id()).saturating_sub(before));
    println!("| convergence, {services} two-site services over {sites} sites | measure |");
    println!("| --- | --- |");
    println!("| services made (no WAN delay) | {:.1} s |", made.as_secs_f64());
    println!("| one pass, wall time | {:.0} ms |", wall.as_secs_f64() * 1e3);
    println!(
        "| one pass, CPU (master and participants; goal at 10,000 services on 100 sites: under 1 s of the master's) | {:.0} ms |",
        cpu.as_secs_f64() * 1e3
    );
    println!("| CPU per service per pass | {:.1} µs |", cpu.as_secs_f64() * 1e6 / count(services));
    println!("| memory per service (every site's copy) | {per_service_kib:.1} KiB |\n");
    Ok(())
}

fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}
