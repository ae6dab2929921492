//! `archipel intersite create`: a new service, mastered by the agent the command talks to.

use archipel_agent::{CreateRequest, ResourceRef, ServiceType};
use clap::Args;

use super::view::ServiceView;
use super::Context;

/// Create an L2 extension or L3 routing between networks of several sites.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// l2: stretch the first resource's subnet to the other sites; l3: route between them.
    #[arg(long = "type", value_name = "l2|l3")]
    kind: ServiceType,
    #[arg(long, value_name = "NAME")]
    name: String,
    /// A site's network; repeat for each site (the agent's own site among them).
    #[arg(long = "resource", value_name = "SITE:NETWORK", required = true, value_parser = parse_resource)]
    resources: Vec<ResourceRef>,
}

pub(super) fn parse_resource(text: &str) -> Result<ResourceRef, String> {
    match text.split_once(':') {
        Some((site, network)) if !site.is_empty() && !network.is_empty() => {
            Ok(ResourceRef { site: site.to_owned(), network: network.to_owned() })
        }
        _ => Err("expected SITE:NETWORK".to_owned()),
    }
}

pub async fn run(ctx: &Context, args: CreateArgs) -> anyhow::Result<()> {
    let req = CreateRequest { kind: args.kind, name: args.name, resources: args.resources };
    let service = ctx.client.create(&req).await?;
    ctx.print_one(&ServiceView(service))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_site_colon_network() {
        let r = parse_resource("a:net").unwrap();
        assert_eq!((r.site.as_str(), r.network.as_str()), ("a", "net"));
        assert!(parse_resource("a").is_err());
        assert!(parse_resource(":net").is_err());
    }
}
