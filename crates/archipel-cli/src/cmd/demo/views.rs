//! The sites and the NSR as the demo prints them: aligned tables (the rendering of
//! `crate::output`), or the NSR as the REST API answers it in YAML or JSON.

use archipel_nfvo::api::dto::{NsInstance, SiteInfo};

use crate::output::{self, Format};

/// NAME POP AGENT TUNNEL MTU REACHABLE.
pub fn sites(sites: &[SiteInfo]) -> String {
    let rows: Vec<Vec<String>> = sites
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.pop_endpoint.clone(),
                s.agent_endpoint.clone().unwrap_or_default(),
                s.tunnel_mtu.map(|m| m.to_string()).unwrap_or_default(),
                if s.reachable { "yes".to_owned() } else { "no".to_owned() },
            ]
        })
        .collect();
    output::table(&["SITE", "POP", "AGENT", "TUNNEL MTU", "REACHABLE"], &rows)
}

/// Every VNFC instance: its VNF, container, site, addresses and status.
pub fn vnfcs(ns: &NsInstance) -> String {
    let mut rows = Vec::new();
    for vnf in &ns.vnf_instance {
        for vnfc in &vnf.vnfc_instances {
            let addresses: Vec<String> =
                vnfc.addresses.iter().map(|(link, ip)| format!("{link}={ip}")).collect();
            rows.push(vec![
                vnf.vnfd_id.clone(),
                vnfc.name.clone(),
                vnfc.vim_id.clone(),
                addresses.join(" "),
                vnfc.pop_status.clone(),
            ]);
        }
    }
    output::table(&["VNF", "VNFC", "SITE", "ADDRESSES", "STATUS"], &rows)
}

/// The Pop network of each virtual link at each site.
pub fn networks(ns: &NsInstance) -> String {
    let rows: Vec<Vec<String>> = ns
        .virtual_link_info
        .iter()
        .map(|n| {
            vec![
                n.virtual_link.clone(),
                n.vim_id.clone(),
                n.name.clone(),
                n.subnet.clone(),
                n.extension_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["VIRTUAL LINK", "SITE", "NETWORK", "SUBNET", "EXTENSION"], &rows)
}

/// The L2 extensions of the virtual links that span sites.
pub fn extensions(ns: &NsInstance) -> String {
    let rows: Vec<Vec<String>> = ns
        .extension_info
        .iter()
        .map(|e| {
            vec![
                e.virtual_link.clone(),
                e.network.clone(),
                e.master_vim_id.clone(),
                e.global_id.clone(),
                e.vim_ids.join(", "),
            ]
        })
        .collect();
    output::table(&["VIRTUAL LINK", "NETWORK", "MASTER", "GLOBAL ID", "SITES"], &rows)
}

/// The NSR in `format`; as a table, the network service's row, then its VNFC instances,
/// networks and extensions.
pub fn nsr(format: Format, ns: &NsInstance) -> anyhow::Result<String> {
    if format != Format::Table {
        return Ok(output::render_one(format, ns)?);
    }
    Ok([output::render_one(format, ns)?, vnfcs(ns), networks(ns), extensions(ns)].join("\n"))
}
