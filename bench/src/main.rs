//! `archipel-bench SUITE…`: runs benchmarks side by side with their baseline in the same run
//! and prints each figure beside the anchor's (../shared/anchors/FIGURES.md) as Markdown.

mod auth;
mod compose;
mod dataplane;
mod diminet;
mod exec;
mod heal;
mod lab;
mod memory;
mod model;
mod native;
mod netns;
mod nfvo;
mod pop;
mod popd;
mod scripts;
mod split;
mod stats;
mod swarm;
mod swarm_paths;
mod tls;

use anyhow::{bail, Result};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let bin = args.next().unwrap_or_default();
    // --full: the long runs of the suites that have one (tls, heal, model).
    let (flags, suites): (Vec<String>, Vec<String>) = args.partition(|a| a.starts_with("--"));
    let full = flags.iter().any(|f| f == "--full");
    if let Some(flag) = flags.iter().find(|f| *f != "--full") {
        bail!("unknown flag {flag}: the only flag is --full");
    }
    if bin.is_empty() || suites.is_empty() {
        bail!("usage: archipel-bench PATH-TO-archipel SUITE… (suites: pop, native, memory, diminet, dataplane, nfvo, split, tls, auth, exec, heal, scripts, model, swarm; --full for the long runs)");
    }
    for suite in suites {
        match suite.as_str() {
            "pop" => pop::run(&bin).await?,
            "native" => native::run(&bin).await?,
            "memory" => memory::run(&bin).await?,
            "diminet" => diminet::run(&bin).await?,
            "dataplane" => dataplane::run(&bin).await?,
            "nfvo" => nfvo::run(&bin).await?,
            "split" => split::run(&bin).await?,
            "tls" => tls::run(&bin, full).await?,
            "auth" => auth::run(&bin).await?,
            "exec" => exec::run(&bin).await?,
            "heal" => heal::run(&bin, full).await?,
            "scripts" => scripts::run(&bin).await?,
            "model" => model::run(full).await?,
            "swarm" => swarm::run(&bin).await?,
            other => {
                bail!(
                    "unknown suite {other}: known suites are pop, native, memory, diminet, dataplane, nfvo, split, tls, auth, exec, heal, scripts, model, swarm"
                )
            }
        }
    }
    Ok(())
}
