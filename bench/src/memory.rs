//! popd's memory on the native runtime, the edge-site deployment: resident (RSS) and
//! proportional (PSS: shared pages divided among their users) set idle and with 100 containers
//! running, and the size of the binary shipped to the site. Anchor: the goal of < 10 MiB
//! resident idle; the thesis's 3 MANO components < 20 MiB together.

use std::time::Duration;

use anyhow::{Context, Result};
use archipel_testkit::{require_root, PopdRuntime};

use crate::popd::Popd;
use crate::stats::Memory;

const MANY: usize = 100;
/// Time for popd to settle (the allocator returning what start-up used, the poller's rounds).
const SETTLE: Duration = Duration::from_secs(3);

pub async fn run(bin: &str) -> Result<()> {
    require_root();
    let size = std::fs::metadata(bin).with_context(|| format!("stat {bin}"))?.len();
    let popd = Popd::start(bin, PopdRuntime::Native).await?;
    tokio::time::sleep(SETTLE).await;
    let idle = Memory::of(popd.process.pid())?;
    for i in 0..MANY {
        let name = format!("{}-m{i}", popd.process.name);
        popd.create_start(&name, &format!("{}{}", popd.prefix, 20 + i)).await?;
    }
    tokio::time::sleep(SETTLE).await;
    let busy = Memory::of(popd.process.pid())?;

    println!("## popd's memory on the native runtime, and the binary\n");
    println!("| measure | Archipel | anchor |");
    println!("| --- | --- | --- |");
    println!("| `archipel` binary (every subcommand) | {:.1} MiB | |", mib(size));
    println!(
        "| popd RSS, idle | {:.1} MiB (anonymous {:.1}) | goal < 10 MiB; thesis: 3 components < 20 MiB |",
        idle.rss, idle.anon
    );
    println!("| popd PSS, idle | {:.1} MiB | |", idle.pss);
    println!(
        "| popd RSS, {MANY} native containers running | {:.1} MiB (anonymous {:.1}) | thesis: nearly constant as containers are added |",
        busy.rss, busy.anon
    );
    println!("| popd PSS, {MANY} native containers running | {:.1} MiB | |\n", busy.pss);
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    // KiB in a u32 reach 4 TiB, far beyond a binary's size; an f64 holds any u32 exactly.
    f64::from(u32::try_from(bytes / 1024).unwrap_or(u32::MAX)) / 1024.0
}
