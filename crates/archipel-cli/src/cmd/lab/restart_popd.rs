//! `lab restart-popd`: start a site's popd again.

use std::path::Path;

use clap::Args;

/// Start a site's popd again on its data directory and its port, so that its agent and an
/// NFVO keep its URL (stopping it first if it runs). Its containers run on meanwhile.
#[derive(Debug, Args)]
pub struct RestartPopdArgs {
    /// The site.
    site: String,
}

pub fn run(dir: Option<&Path>, args: RestartPopdArgs) -> anyhow::Result<()> {
    let ctx = archipel_lab::restart_popd(&archipel_lab::context_path(dir), &args.site)?;
    let site = ctx.site(&args.site)?;
    println!("popd of site {} runs again at {}", site.name, site.popd_url);
    Ok(())
}
