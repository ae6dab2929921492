//! `lab status`: the lab's sites and whether their daemons run.

use std::path::Path;

use archipel_lab::LabContext;
use clap::Args;

/// Show every site: its namespace, underlay address, popd and agent, and whether they run.
#[derive(Debug, Args)]
pub struct StatusArgs {}

pub fn run(dir: Option<&Path>, _args: StatusArgs) -> anyhow::Result<()> {
    let ctx = LabContext::load(&archipel_lab::context_path(dir))?;
    let state = |running: bool| if running { "running" } else { "down" };
    println!("lab {} ({}), underlay {}", ctx.name, ctx.dir.display(), ctx.underlay);
    println!("SITE  NAMESPACE  UNDERLAY  POPD  AGENT");
    for s in &ctx.sites {
        let (popd, agent) = archipel_lab::site_daemons_running(s);
        let netns = s.placement();
        println!(
            "{}  {}  {}  {} ({})  {} ({})",
            s.name,
            netns,
            s.underlay_ip,
            s.popd_url,
            state(popd),
            s.agent_url,
            state(agent)
        );
    }
    Ok(())
}
