//! DIMINET Table III: the time from a user's request for an inter-site service over k sites to
//! its answer, a random one of them receiving it. Ours includes the data plane (bridges,
//! VXLANs, routes), set up before the answer. One lab of 6 sites for k = 2..6, then a lab of
//! 12 and one of 24 sites with every site taking part. Beside each time, the CPU time the
//! daemons spent on it (popd and agent, from the scheduler's per-thread clocks): the receiving
//! site's (the master's), and the sum over the other participants; with every daemon on this
//! machine's two cores, the growth per added site is CPU contention where the sum grows as the
//! time does.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archipel_agent::{CreateRequest, NorthClient, ResourceRef, ServiceType, NORTH_TIMEOUT};
use archipel_testkit::require_root;

use crate::lab::Lab;
use crate::stats::{cpu_ns, summarize};

/// DIMINET Table III, seconds, for k = 2..6 sites.
const L3_ANCHOR: [f64; 5] = [3.5006, 3.56017, 3.61324, 3.8076, 4.08032];
const L2_ANCHOR: [f64; 5] = [3.47927, 3.66885, 3.98471, 4.07191, 4.40295];
const SEED: u64 = 0x5eed_d1a1_7e70_0001;
/// The network an L2 service creates at its remote sites (and deletes with the service).
const STRETCHED: &str = "ext";

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    let runs = env_usize("ARCHIPEL_BENCH_RUNS", 100)?;
    let large = env_usize("ARCHIPEL_BENCH_RUNS_LARGE", 20)?;
    let mut rng = XorShift(SEED);
    let started = Instant::now();
    let mut rows = Vec::new();
    {
        let bed = Bed::up(bin, 6)?;
        for k in 2..=6 {
            for kind in [ServiceType::L3, ServiceType::L2] {
                let (times, cpu) = bed.measure(kind, k, runs, &mut rng).await?;
                let anchor = if kind == ServiceType::L3 { L3_ANCHOR } else { L2_ANCHOR };
                rows.push(Row { kind, k, lab: 6, times, cpu, anchor: Some(anchor[k - 2]) });
            }
        }
    }
    for sites in [12, 24] {
        let bed = Bed::up(bin, sites)?;
        for kind in [ServiceType::L3, ServiceType::L2] {
            let (times, cpu) = bed.measure(kind, sites, large, &mut rng).await?;
            rows.push(Row { kind, k: sites, lab: sites, times, cpu, anchor: None });
        }
    }
    println!("## DIMINET Table III: inter-site service creation time\n");
    println!(
        "Request to answer at a random receiving site, data plane included; DELETE after each"
    );
    println!("run (not timed). Seed {SEED:#x}.\n");
    println!(
        "| type | sites k | lab sites | runs | Archipel, mean ± s.e. | master's CPU | other \
         participants' CPU (sum) | DIMINET, mean of 100 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in rows {
        let s = summarize(&r.times);
        let anchor = r.anchor.map_or("not measured".into(), |a| format!("{:.0} ms", a * 1e3));
        let kind = if r.kind == ServiceType::L3 { "L3" } else { "L2" };
        let (master, others) = r.cpu.mean_ms();
        println!(
            "| {kind} | {} | {} | {} | {:.1} ± {:.1} ms (median {:.1}) | {master:.1} ms | \
             {others:.1} ms | {anchor} |",
            r.k, r.lab, s.n, s.mean_ms, s.stderr_ms, s.median_ms
        );
    }
    println!(
        "\nSuite wall time: {:.0} s (lab set-ups included).\n",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

struct Row {
    kind: ServiceType,
    k: usize,
    lab: usize,
    times: Vec<Duration>,
    cpu: Cpu,
    anchor: Option<f64>,
}

/// The daemons' CPU time over a row's creations, in nanoseconds.
#[derive(Default)]
struct Cpu {
    runs: u64,
    master: u64,
    others: u64,
}

impl Cpu {
    /// Per creation, in milliseconds: the master's, the other participants' summed.
    fn mean_ms(&self) -> (f64, f64) {
        let per = |ns: u64| Duration::from_nanos(ns / self.runs.max(1)).as_secs_f64() * 1e3;
        (per(self.master), per(self.others))
    }
}

/// A lab whose every site holds a network `d<site>` on a /25 of its own: the L3 resource at
/// every site and the L2 resource at the receiving site (disjoint, so that a remote site has the
/// L2 subnet free).
struct Bed {
    lab: Lab,
    names: Vec<String>,
}

impl Bed {
    fn up(bin: &str, sites: usize) -> Result<Self> {
        let t = Instant::now();
        let lab = Lab::up(bin, sites)?;
        let names: Vec<String> = lab.ctx.sites.iter().map(|s| s.name.clone()).collect();
        for (i, site) in names.iter().enumerate() {
            lab.network(site, &format!("d{site}"), &lab.slash25(u32::try_from(i)?))?;
        }
        eprintln!("diminet: a lab of {sites} sites up in {:.1} s", t.elapsed().as_secs_f64());
        Ok(Self { lab, names })
    }

    /// The CPU time so far of `site`'s popd and agent.
    fn cpu_ns(&self, site: &str) -> Result<u64> {
        let s = self.lab.site(site)?;
        Ok([s.popd_pid, s.agent_pid].into_iter().flatten().map(cpu_ns).sum())
    }

    /// `runs` creations over `k` sites picked at random, each deleted after its answer; their
    /// times and the daemons' CPU time.
    async fn measure(
        &self,
        kind: ServiceType,
        k: usize,
        runs: usize,
        rng: &mut XorShift,
    ) -> Result<(Vec<Duration>, Cpu)> {
        let mut times = Vec::with_capacity(runs);
        let mut cpu = Cpu::default();
        for run in 0..runs {
            let sites = rng.pick(&self.names, k);
            let master = &sites[rng.below(k)];
            let s = self.lab.site(master)?;
            let north = NorthClient::new(&s.agent_url, &s.agent_token, NORTH_TIMEOUT);
            // The receiving site's own network first; for L2 the others are made by the master.
            let mut resources =
                vec![ResourceRef { site: master.clone(), network: format!("d{master}") }];
            for site in sites.iter().filter(|s| *s != master) {
                let network = match kind {
                    ServiceType::L3 => format!("d{site}"),
                    ServiceType::L2 => STRETCHED.into(),
                };
                resources.push(ResourceRef { site: site.clone(), network });
            }
            let req = CreateRequest { kind, name: format!("b{k}r{run}"), resources };
            let before: Vec<u64> = sites.iter().map(|s| self.cpu_ns(s)).collect::<Result<_>>()?;
            let t = Instant::now();
            let service =
                north.create(&req).await.with_context(|| format!("create {req:?} at {master}"))?;
            times.push(t.elapsed());
            for (site, before) in sites.iter().zip(before) {
                let spent = self.cpu_ns(site)?.saturating_sub(before);
                if site == master {
                    cpu.master += spent;
                } else {
                    cpu.others += spent;
                }
            }
            cpu.runs += 1;
            north.delete(&service.global_id).await.context("delete")?;
        }
        Ok((times, cpu))
    }
}

/// xorshift64: a fixed seed gives the same site choices in every run of the suite.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    /// `k` distinct items of `all` (a partial Fisher-Yates shuffle).
    fn pick(&mut self, all: &[String], k: usize) -> Vec<String> {
        let mut v = all.to_vec();
        for i in 0..k {
            let j = i + self.below(v.len() - i);
            v.swap(i, j);
        }
        v.truncate(k);
        v
    }
}

pub fn env_usize(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(v) => v.parse().with_context(|| format!("{name}={v} is not a count")),
        Err(_) => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_distinct_and_repeatable() {
        let all: Vec<String> = (0..6).map(|i| i.to_string()).collect();
        let (mut a, mut b) = (XorShift(SEED), XorShift(SEED));
        for k in 2..=6 {
            let p = a.pick(&all, k);
            assert_eq!(p, b.pick(&all, k));
            let mut d = p.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), k);
        }
    }
}
