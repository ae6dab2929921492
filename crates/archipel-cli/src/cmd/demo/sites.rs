//! The lab's sites, registered at the NFVO (`POST /sites`) by their popd, with its
//! credentials, and their inter-site agent, with its North token: the NFVO checks both and
//! records the agent's tunnel MTU.

use anyhow::Context as _;
use archipel_daemon::tls;
use archipel_lab::{LabContext, SiteContext};
use archipel_nfvo::api::dto::{SiteInfo, SiteRequest};
use archipel_nfvo::client::NfvoClient;
use archipel_pop_client::{Client, Credentials};

/// Registers every site of the lab under its name (a, b…).
pub async fn register(client: &NfvoClient, ctx: &LabContext) -> anyhow::Result<Vec<SiteInfo>> {
    let mut registered = Vec::new();
    for site in &ctx.sites {
        let creds = credentials(ctx, site)?;
        let request = SiteRequest {
            name: site.name.clone(),
            pop_endpoint: site.popd_url.clone(),
            username: creds.username,
            password: creds.password,
            agent_endpoint: Some(site.agent_url.clone()),
            agent_token: Some(site.agent_token.clone()),
        };
        let info = client
            .add_site(&request)
            .await
            .with_context(|| format!("registering site {} at the NFVO", site.name))?;
        registered.push(info);
    }
    Ok(registered)
}

/// The site's popd and who logs in to it, from the lab's `USER:PASSWORD`, checked against the
/// lab's CA when it serves TLS.
pub fn credentials(ctx: &LabContext, site: &SiteContext) -> anyhow::Result<Credentials> {
    let ca = match &ctx.ca {
        Some(ca) => Some(tls::read_ca(ca)?.into()),
        None => None,
    };
    let (username, password) = site.popd_auth.split_once(':').with_context(|| {
        format!("the lab's credentials of site {} are not USER:PASSWORD", site.name)
    })?;
    Ok(Credentials {
        endpoint: site.popd_url.clone(),
        username: username.to_owned(),
        password: password.to_owned(),
        ca,
    })
}

/// A Pop client of the site's popd.
pub fn pop(ctx: &LabContext, site: &SiteContext) -> anyhow::Result<Client> {
    Ok(Client::new(credentials(ctx, site)?).with_timeout(std::time::Duration::from_secs(30)))
}
