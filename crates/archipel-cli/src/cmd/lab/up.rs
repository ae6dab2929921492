//! `lab up`: start a lab.

use std::path::{Path, PathBuf};

use archipel_agent::wireguard::Encryption;
use archipel_lab::{DockerSite, LabPlan, DEFAULT_DIR, DEFAULT_UNDERLAY};
use clap::Args;
use ipnet::Ipv4Net;

/// Start N sites on this machine: a namespace per site on a shared underlay, a popd (native
/// runtime) and an agent per site, every agent the peer of every other. One site may run on the
/// host's Docker Engine instead (--docker-site): its popd and agent then run in the host, which
/// is its end of the underlay. Site a may be a Docker Swarm cluster of several nodes instead
/// (--swarm-nodes), each node a namespace with its own Docker Engine. Needs root.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  archipel lab up --sites 3
  archipel lab up --sites 2 --docker-site b --docker-subnet 10.99.0.0/24
  archipel lab up --sites 2 --swarm-nodes 3")]
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
    /// The site whose popd runs on the host's Docker Engine: one per lab, and one such lab per
    /// machine at a time (its tunnels live in the host's namespace).
    #[arg(long, value_name = "SITE", requires = "docker_subnet")]
    docker_site: Option<String>,
    /// The subnet of the Docker site's default network; it must overlap no other network of the
    /// host, since Docker's networks live in the host.
    #[arg(long, value_name = "CIDR", requires = "docker_site")]
    docker_subnet: Option<Ipv4Net>,
    /// Make site a a Docker Swarm cluster of this many nodes (1 to 9): each a namespace with
    /// its own Docker Engine, the first the manager; every image of the host's engine is loaded
    /// into each. Needs Docker (apt-get install docker.io) and its engine running.
    #[arg(long, value_name = "N", default_value_t = 0)]
    swarm_nodes: usize,
    /// Plain text instead of TLS on every daemon (by default the lab makes a CA and a
    /// certificate per daemon in DIR/pki, and the clients find the CA through `lab env`).
    #[arg(long)]
    insecure: bool,
    /// How the agents carry inter-site traffic: VXLAN inside WireGuard, or plain VXLAN
    /// (`none`).
    #[arg(long, value_name = "wireguard|none", default_value_t = Encryption::Wireguard)]
    encryption: Encryption,
}

pub async fn run(dir: Option<&Path>, args: UpArgs) -> anyhow::Result<()> {
    let plan = LabPlan {
        name: args.name,
        sites: args.sites,
        underlay: args.underlay,
        dir: dir.map_or_else(|| PathBuf::from(DEFAULT_DIR), Path::to_owned),
        images_dir: args.images_dir,
        docker: args
            .docker_site
            .zip(args.docker_subnet)
            .map(|(site, default_subnet)| DockerSite { site, default_subnet }),
        swarm_nodes: args.swarm_nodes,
        tls: !args.insecure,
        plain_vxlan: args.encryption == Encryption::None,
    };
    let ctx = archipel_lab::up(&plan).await?;
    println!("SITE  NAMESPACE  UNDERLAY  POPD  AGENT");
    for s in &ctx.sites {
        let netns = s.placement();
        println!("{}  {netns}  {}  {}  {}", s.name, s.underlay_ip, s.popd_url, s.agent_url);
    }
    println!("context: {}", ctx.path().display());
    if let Some(ca) = &ctx.ca {
        println!("certificate authority: {}", ca.display());
    }
    Ok(())
}
