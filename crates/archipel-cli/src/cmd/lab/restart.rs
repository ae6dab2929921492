//! `lab restart-agent`: start a site's agent again.

use std::path::Path;

use clap::Args;

/// Start a site's agent again on its data directory (stopping it first if it runs).
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// The site.
    site: String,
}

pub fn run(dir: Option<&Path>, args: RestartArgs) -> anyhow::Result<()> {
    let ctx = archipel_lab::restart_agent(&archipel_lab::context_path(dir), &args.site)?;
    let site = ctx.site(&args.site)?;
    println!("agent of site {} runs again at {}", site.name, site.agent_url);
    Ok(())
}
