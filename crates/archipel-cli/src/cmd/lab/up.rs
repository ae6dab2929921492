//! `lab up`: start a lab.

use std::path::{Path, PathBuf};

use archipel_lab::{LabPlan, DEFAULT_DIR, DEFAULT_UNDERLAY};
use clap::Args;
use ipnet::Ipv4Net;

/// Start N sites on this machine: a namespace per site on a shared underlay, a popd (native
/// runtime) and an agent per site, every agent the peer of every other. Needs root.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// How many sites (named a, b, c…).
    #[arg(long, default_value_t = 2)]
    sites: usize,
    /// Prefixes the lab's namespaces and host link (at most 12 lowercase letters or digits).
    #[arg(long, default_value = "arch")]
    name: String,
    /// The underlay, a /24 or larger: sites take its first addresses, the host its last.
    #[arg(long, value_name = "CIDR", default_value = DEFAULT_UNDERLAY)]
    underlay: Ipv4Net,
    /// The native image catalogue of every popd [default: DIR/images].
    #[arg(long, value_name = "DIR")]
    images_dir: Option<PathBuf>,
}

pub async fn run(dir: Option<&Path>, args: UpArgs) -> anyhow::Result<()> {
    let plan = LabPlan {
        name: args.name,
        sites: args.sites,
        underlay: args.underlay,
        dir: dir.map_or_else(|| PathBuf::from(DEFAULT_DIR), Path::to_owned),
        images_dir: args.images_dir,
    };
    let ctx = archipel_lab::up(&plan).await?;
    println!("SITE  NAMESPACE  UNDERLAY  POPD  AGENT");
    for s in &ctx.sites {
        println!("{}  {}  {}  {}  {}", s.name, s.netns, s.underlay_ip, s.popd_url, s.agent_url);
    }
    println!("context: {}", ctx.path().display());
    Ok(())
}
