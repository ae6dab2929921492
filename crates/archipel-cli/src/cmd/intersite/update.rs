//! `archipel intersite update ID`: rename a service, or change the sites of an L2 extension
//! (ask its master). Sites the change has not reached yet are named on stderr.

use archipel_agent::{ResourceRef, UpdateRequest};
use clap::{ArgGroup, Args};

use super::create::parse_resource;
use super::view::ServiceView;
use super::Context;

/// Rename an inter-site service, or change the sites of an L2 extension.
#[derive(Debug, Args)]
#[command(after_help = "\
The --resource list replaces the service's: sites missing from it leave (the master's own
cannot), new ones join with a block from the master's reserve. Sites that stay keep their tunnel
as it is; only their flood entries change. L3 services can only be renamed.

Example:
  archipel intersite update a-1f2e3d4c --resource a:net --resource b:net --resource c:net")]
#[command(group(ArgGroup::new("change").required(true).multiple(true).args(["name", "resources"])))]
pub struct UpdateArgs {
    /// The service's global id.
    id: String,
    /// The new name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// A site's network; repeat for each site that takes part after the change.
    #[arg(long = "resource", value_name = "SITE:NETWORK", value_parser = parse_resource)]
    resources: Vec<ResourceRef>,
}

pub async fn run(ctx: &Context, args: UpdateArgs) -> anyhow::Result<()> {
    let resources = Some(args.resources).filter(|r| !r.is_empty());
    let req = UpdateRequest { name: args.name, resources };
    let reply = ctx.client.update(&args.id, &req).await?;
    ctx.print_one(&ServiceView(reply.service))?;
    if !reply.pending.is_empty() {
        let sites = reply.pending.join(", ");
        eprintln!("pending: {sites} (they get the change when the master reaches them)");
    }
    Ok(())
}
