//! The lab's PKI, made in its directory when it serves TLS: a CA, and a certificate per daemon
//! naming what its clients call it by (a site's name, its underlay address, loopback).

use std::net::{IpAddr, Ipv4Addr};

use archipel_daemon::pki::{self, Names};

use crate::context::LabContext;
use crate::error::LabError;

/// The NFVO's certificate, for the demo's orchestrator and the tests that start one.
pub const NFVO_CERT: &str = "nfvo";

/// The certificate name of a site's popd.
pub fn popd_cert(site: &str) -> String {
    format!("popd-{site}")
}

/// The certificate name of a site's agent; it names the site, which is how the other agents
/// tell which site calls (East-West mutual TLS).
pub fn agent_cert(site: &str) -> String {
    format!("agent-{site}")
}

/// Makes the CA and every daemon's certificate, if the lab serves TLS.
pub(crate) fn make(ctx: &LabContext) -> Result<(), LabError> {
    if ctx.ca.is_none() {
        return Ok(());
    }
    let dir = ctx.pki_dir();
    pki::init(&dir).map_err(LabError::Pki)?;
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let host = IpAddr::V4(ctx.host_ip);
    for site in &ctx.sites {
        let underlay = IpAddr::V4(site.underlay_ip);
        // popd listens on the host's underlay address, its agent reaches it there.
        let mut ips = vec![host, loopback];
        if underlay != host {
            ips.push(underlay);
        }
        let names = Names { dns: vec![site.name.clone()], ips };
        pki::issue(&dir, &popd_cert(&site.name), &names).map_err(LabError::Pki)?;
        let mut ips = vec![underlay];
        if underlay != loopback {
            ips.push(loopback);
        }
        let names = Names { dns: vec![site.name.clone()], ips };
        pki::issue(&dir, &agent_cert(&site.name), &names).map_err(LabError::Pki)?;
    }
    let names = Names { dns: vec!["localhost".into()], ips: vec![loopback, host] };
    pki::issue(&dir, NFVO_CERT, &names).map_err(LabError::Pki)?;
    Ok(())
}
