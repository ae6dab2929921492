//! `pop network create|update|rm`: manage the PoP's networks.

use archipel_pop_client::{pb, Filter, NetworkChanges};
use clap::{ArgGroup, Args, Subcommand};

use super::catalogue_view::Removed;
use super::network_view::NetworkView;
use super::Context;

/// Create, change or remove a network.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop network create backhaul --subnet 10.20.0.0/24 --pool 10.20.0.10-10.20.0.99
  archipel pop network update backhaul --mtu 1400
  archipel pop network rm backhaul")]
pub struct NetworkArgs {
    #[command(subcommand)]
    command: NetworkCommand,
}

#[derive(Debug, Subcommand)]
enum NetworkCommand {
    /// Create a network: a subnet with a gateway and allocation pools, realised as a bridge.
    #[command(after_help = "\
Without --gateway, the subnet's first address; without --pool, every address but the gateway;
without --mtu, the runtime's default.

Example:
  archipel pop network create backhaul --subnet 10.20.0.0/24 --mtu 1450")]
    Create {
        /// The new network's name.
        name: String,
        /// The subnet, as a CIDR.
        #[arg(long, value_name = "CIDR")]
        subnet: String,
        /// The gateway's address, inside the subnet.
        #[arg(long, value_name = "IP")]
        gateway: Option<String>,
        /// A range addresses are handed out from; repeat for several.
        #[arg(long = "pool", value_name = "FIRST-LAST", value_parser = parse_pool)]
        pools: Vec<pb::Pool>,
        /// The MTU of the bridge and of the containers' interfaces.
        #[arg(long, value_name = "N")]
        mtu: Option<u32>,
    },
    /// Change a network's pools (all replaced by those given) or MTU.
    #[command(after_help = "\
Addresses in use must stay inside the new pools.

Example:
  archipel pop network update backhaul --pool 10.20.0.10-10.20.0.199")]
    #[command(group(ArgGroup::new("change").required(true).multiple(true).args(["pools", "mtu"])))]
    Update {
        /// A network name, or an id (tried when no network has that name).
        #[arg(value_name = "NAME|ID")]
        network: String,
        /// A range addresses are handed out from; repeat for several.
        #[arg(long = "pool", value_name = "FIRST-LAST", value_parser = parse_pool)]
        pools: Vec<pb::Pool>,
        /// The MTU of the bridge and of the containers' interfaces.
        #[arg(long, value_name = "N")]
        mtu: Option<u32>,
    },
    /// Remove networks that no container uses; prints the names removed.
    #[command(after_help = "Example:\n  archipel pop network rm backhaul")]
    Rm {
        /// Network names, or ids (tried when no network has that name).
        #[arg(value_name = "NAME|ID", required = true)]
        networks: Vec<String>,
    },
}

fn parse_pool(range: &str) -> Result<pb::Pool, String> {
    match range.split_once('-') {
        Some((first, last)) if !first.is_empty() && !last.is_empty() => {
            Ok(pb::Pool { first: first.to_string(), last: last.to_string() })
        }
        _ => Err(format!("'{range}' is not FIRST-LAST")),
    }
}

pub async fn run(ctx: &Context, args: NetworkArgs) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match args.command {
        NetworkCommand::Create { name, subnet, gateway, pools, mtu } => {
            let config = pb::NetworkConfig {
                name,
                subnet: Some(pb::Subnet { cidr: subnet, gateway: gateway.unwrap_or_default() }),
                pools,
                mtu: mtu.unwrap_or(0),
            };
            let network = client.create_network(config).await?;
            ctx.print_one(&NetworkView::from(&network))
        }
        NetworkCommand::Update { network, pools, mtu } => {
            let changes = NetworkChanges { pools: (!pools.is_empty()).then_some(pools), mtu };
            let network = client.update_network(&Filter::name_or_id(network), changes).await?;
            ctx.print_one(&NetworkView::from(&network))
        }
        NetworkCommand::Rm { networks } => {
            let mut removed = Vec::new();
            for network in networks {
                client.delete_network(&Filter::name_or_id(&network)).await?;
                removed.push(Removed(network));
            }
            ctx.print_list(&removed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_first_dash_last() {
        let pool = parse_pool("10.0.0.10-10.0.0.99").unwrap();
        assert_eq!((pool.first.as_str(), pool.last.as_str()), ("10.0.0.10", "10.0.0.99"));
        assert!(parse_pool("10.0.0.10").is_err());
        assert!(parse_pool("-10.0.0.99").is_err());
    }
}
