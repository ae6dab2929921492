//! The lab's namespaces and links: the hub with the underlay bridge, a veth from the host and
//! one from each site.

use archipel_netlink::{Netlink, RtNetlink};
use ipnet::Ipv4Net;

use crate::context::LabContext;
use crate::error::LabError;

/// The underlay bridge, inside the hub namespace.
const BRIDGE: &str = "br0";
/// The hub's end of the host's veth.
const HUB_HOST_END: &str = "host";
/// The site's end of its veth to the underlay, inside the site's namespace.
pub const SITE_UNDERLAY: &str = "u0";

/// Makes the hub, the sites' namespaces and the underlay between them; what exists is adopted.
pub(crate) async fn create(ctx: &LabContext) -> Result<(), LabError> {
    let nl = RtNetlink::new();
    let hub = Some(ctx.hub_netns.as_str());
    let prefix = ctx.underlay.prefix_len();
    ensure_netns(&nl, &ctx.hub_netns).await?;
    run(nl.ensure_bridge(hub, BRIDGE, None).await, "add the underlay bridge")?;
    up(&nl, hub, BRIDGE).await?;
    up(&nl, hub, "lo").await?;
    let host_veth = nl.ensure_veth(None, &ctx.host_link, HUB_HOST_END, hub).await;
    run(host_veth, &format!("add the host's veth {}", ctx.host_link))?;
    attach(&nl, hub, HUB_HOST_END).await?;
    let host_addr =
        Ipv4Net::new(ctx.host_ip, prefix).map_err(|e| LabError::Invalid(e.to_string()))?;
    run(nl.ensure_address(None, &ctx.host_link, host_addr).await, "address the host's veth")?;
    up(&nl, None, &ctx.host_link).await?;
    for site in ctx.sites.iter().filter(|s| !s.on_docker()) {
        ensure_netns(&nl, &site.netns).await?;
        let ns = Some(site.netns.as_str());
        let veth = nl.ensure_veth(hub, &site.hub_link, SITE_UNDERLAY, ns).await;
        run(veth, &format!("add the underlay veth of site {}", site.name))?;
        attach(&nl, hub, &site.hub_link).await?;
        let addr =
            Ipv4Net::new(site.underlay_ip, prefix).map_err(|e| LabError::Invalid(e.to_string()))?;
        run(nl.ensure_address(ns, SITE_UNDERLAY, addr).await, "address a site's underlay")?;
        up(&nl, ns, SITE_UNDERLAY).await?;
        up(&nl, ns, "lo").await?;
    }
    Ok(())
}

/// Fails when the lab's hub namespace or host link exists already: a lab of that name runs.
pub(crate) async fn check_free(ctx: &LabContext) -> Result<(), LabError> {
    let nl = RtNetlink::new();
    let hub = nl.netns_exists(&ctx.hub_netns).await;
    let hub =
        hub.map_err(LabError::netlink(format!("look for the namespace {}", ctx.hub_netns)))?;
    let link = nl.link_exists(None, &ctx.host_link).await;
    let link = link.map_err(LabError::netlink(format!("look for the link {}", ctx.host_link)))?;
    if hub || link {
        return Err(LabError::NameTaken(ctx.name.clone()));
    }
    Ok(())
}

/// Removes the sites' namespaces, the hub (its links go with it) and the host's veth.
pub(crate) async fn remove(ctx: &LabContext) -> Result<(), LabError> {
    let nl = RtNetlink::new();
    for ns in ctx.sites.iter().map(|s| &s.netns).chain([&ctx.hub_netns]) {
        run(nl.delete_netns(ns).await, &format!("delete the namespace {ns}"))?;
    }
    let host = nl.delete_link(None, &ctx.host_link).await;
    run(host, &format!("delete the host's veth {}", ctx.host_link))
}

async fn ensure_netns(nl: &RtNetlink, ns: &str) -> Result<(), LabError> {
    run(nl.ensure_netns(ns).await, &format!("add the namespace {ns}"))
}

/// `ip -n HUB link set LINK master br0 up`.
async fn attach(nl: &RtNetlink, hub: Option<&str>, link: &str) -> Result<(), LabError> {
    run(nl.set_master(hub, link, Some(BRIDGE)).await, &format!("attach {link} to the underlay"))?;
    up(nl, hub, link).await
}

async fn up(nl: &RtNetlink, ns: Option<&str>, link: &str) -> Result<(), LabError> {
    run(nl.set_up(ns, link).await, &format!("set {link} up"))
}

fn run(result: archipel_netlink::Result<()>, op: &str) -> Result<(), LabError> {
    result.map_err(LabError::netlink(op.to_owned()))
}
