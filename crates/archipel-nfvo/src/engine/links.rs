//! Virtual links at the sites. A link whose instances sit on one site is a Pop network there; a
//! link whose instances sit on several is one subnet stretched over them: a Pop network at the
//! site holding most of them, extended over the others by that site's agent (an L2 extension,
//! each site with its own pool of the subnet). No descriptor field asks for it: placement
//! alone decides, as in the Multi-Swarm helper. Extensions follow scaling: a site joins when an
//! instance lands on it and leaves when its last one goes.

use std::sync::Arc;

use super::run::Run;
use crate::ids;
use crate::model::{ExtensionRecord, Failure, NetworkRecord, Step};
use crate::store::{Resource, ResourceKind, ResourceState};
use crate::vim::{Agent, NetworkSpec};

/// Makes virtual link `link` reach every site of `sites`; when the link exists nowhere yet, the
/// first site holds its Pop network (the caller puts the site with most instances first).
pub(super) async fn reach(run: &mut Run, link: &str, sites: &[String]) -> Result<(), Failure> {
    if let Some(extension) = run.nsr.extension(link).cloned() {
        let missing: Vec<String> =
            sites.iter().filter(|s| !extension.sites.contains(s)).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        return join(run, &extension, &missing).await;
    }
    let master = match run.nsr.networks.iter().find(|n| n.virtual_link == link) {
        Some(network) => network.site.clone(),
        None => {
            let Some(first) = sites.first() else { return Ok(()) };
            ensure_network(run, first, link).await?;
            first.clone()
        }
    };
    let mut all = vec![master.clone()];
    all.extend(sites.iter().filter(|s| **s != master).cloned());
    all.dedup();
    if all.len() == 1 {
        return Ok(());
    }
    extend(run, link, &master, &all).await
}

/// Makes the Pop network of virtual link `link` at `site`, unless the NSR has it; at a site
/// with an agent it carries the tunnel MTU from the start, so that it can be extended later.
async fn ensure_network(run: &mut Run, site: &str, link: &str) -> Result<(), Failure> {
    if run.nsr.network(site, link).is_some() {
        return Ok(());
    }
    let name = format!("{link}-{}", ids::short(&run.nsr.id));
    run.step(Step::Networks, Some(format!("network {name} at site {site}")))?;
    let mtu = run.site(site)?.tunnel_mtu;
    let (seq, subnet) = run.intend_network(site, &name)?;
    let vim = run.vim(site)?;
    let spec = NetworkSpec { name: name.clone(), subnet, mtu };
    let pop_id = vim.create_network(&spec).await.map_err(|err| {
        run.failure(format!("create network {name} ({subnet}) at site {site}: {}", err.reason()))
    })?;
    run.made(seq, &pop_id)?;
    run.nsr.networks.push(NetworkRecord {
        virtual_link: link.to_owned(),
        site: site.to_owned(),
        name,
        pop_id,
        subnet,
    });
    run.save()
}

/// The agent of `master`, once every site of `sites` is known to have one.
fn agent_for(
    run: &Run,
    link: &str,
    master: &str,
    sites: &[String],
) -> Result<Arc<dyn Agent>, Failure> {
    for site in sites {
        if run.site(site)?.agent_endpoint.is_none() {
            return Err(run.failure(format!(
                "virtual link {link} spans sites {}, but site {site} has no inter-site agent \
                 (register the site with --agent)",
                sites.join(", ")
            )));
        }
    }
    run.agent(master)
}

/// Stretches the link's network at `master` over `sites` (master first).
async fn extend(run: &mut Run, link: &str, master: &str, sites: &[String]) -> Result<(), Failure> {
    let Some(network) = run.nsr.network(master, link).cloned() else {
        return Err(run.failure(format!("virtual link {link} has no network at site {master}")));
    };
    let agent = agent_for(run, link, master, sites)?;
    let listed = sites.join(", ");
    run.step(Step::Extend, Some(format!("virtual link {link} over sites {listed}")))?;
    let seq = run.intend(master, ResourceKind::Extension, &network.name)?;
    let mut members = Vec::new();
    for site in &sites[1..] {
        members.push(run.intend(site, ResourceKind::Member, &network.name)?);
    }
    let global_id = agent.extend(&network.name, sites).await.map_err(|err| {
        run.failure(format!(
            "extend virtual link {link} from site {master} over sites {listed}: {}",
            err.reason()
        ))
    })?;
    run.made(seq, &global_id)?;
    for seq in members {
        run.made(seq, &global_id)?;
    }
    let extension = ExtensionRecord {
        virtual_link: link.to_owned(),
        network: network.name.clone(),
        master: master.to_owned(),
        global_id,
        sites: vec![master.to_owned()],
    };
    add_sites(run, extension, &sites[1..], &network);
    run.save()
}

/// Sites `missing` join an existing extension.
async fn join(
    run: &mut Run,
    extension: &ExtensionRecord,
    missing: &[String],
) -> Result<(), Failure> {
    let link = extension.virtual_link.as_str();
    let mut sites = extension.sites.clone();
    sites.extend(missing.iter().cloned());
    let agent = agent_for(run, link, &extension.master, &sites)?;
    let joining = missing.join(", ");
    run.step(Step::Extend, Some(format!("sites {joining} join virtual link {link}")))?;
    let mut seqs = Vec::new();
    for site in missing {
        seqs.push(run.intend(site, ResourceKind::Member, &extension.network)?);
    }
    agent.set_sites(&extension.global_id, &extension.network, &sites).await.map_err(|err| {
        run.failure(format!(
            "add sites {joining} to virtual link {link} (extension {} of site {}): {}",
            extension.global_id,
            extension.master,
            err.reason()
        ))
    })?;
    for seq in seqs {
        run.made(seq, &extension.global_id)?;
    }
    let Some(network) = run.nsr.network(&extension.master, link).cloned() else {
        return Err(run.failure(format!("virtual link {link} lost its network")));
    };
    run.nsr.extensions.retain(|e| e.global_id != extension.global_id);
    add_sites(run, extension.clone(), missing, &network);
    run.save()
}

/// Records `sites` as members of `extension`, each with its network of the link.
fn add_sites(run: &mut Run, mut extension: ExtensionRecord, sites: &[String], of: &NetworkRecord) {
    for site in sites {
        extension.sites.push(site.clone());
        run.nsr.networks.push(NetworkRecord {
            site: site.clone(),
            pop_id: String::new(),
            ..of.clone()
        });
    }
    run.nsr.extensions.push(extension);
}

/// What goes when sites hold no instance of an extended link any more: their membership, or
/// the whole extension when fewer than two sites would stay. The master always stays.
pub(super) fn emptied(run: &Run, held: &[Resource]) -> Vec<Resource> {
    let mut doomed = Vec::new();
    for extension in &run.nsr.extensions {
        let using = run.nsr.sites_on_link(&extension.virtual_link);
        let leaving: Vec<&String> = extension
            .sites
            .iter()
            .filter(|s| **s != extension.master && !using.contains(s))
            .collect();
        if leaving.is_empty() {
            continue;
        }
        let whole = extension.sites.len() - leaving.len() < 2;
        doomed.extend(held.iter().filter(|r| {
            r.name == extension.network
                && match r.kind {
                    ResourceKind::Member => whole || leaving.contains(&&r.site),
                    ResourceKind::Extension => whole && r.site == extension.master,
                    _ => false,
                }
        }));
    }
    doomed.into_iter().cloned().collect()
}

/// Undoes one extension or membership at its master's agent; the sites that could not be
/// reached are added to `run.pending`.
pub(super) async fn undo(run: &mut Run, resource: &Resource) -> Result<(), Failure> {
    let pending = match resource.kind {
        ResourceKind::Extension => remove(run, resource).await?,
        ResourceKind::Member => leave(run, resource).await?,
        _ => Vec::new(),
    };
    run.pending.extend(pending);
    Ok(())
}

/// Removes the extension `resource` stands for at every site. One whose creation was never
/// answered is found by its name.
async fn remove(run: &Run, resource: &Resource) -> Result<Vec<String>, Failure> {
    let agent = run.agent(&resource.site)?;
    let at = &resource.site;
    let global_id = match &resource.pop_id {
        Some(id) => Some(id.clone()),
        None => agent.find(&resource.name).await.map_err(|err| {
            run.failure(format!("find extension {} at site {at}: {}", resource.name, err.reason()))
        })?,
    };
    let Some(global_id) = global_id else { return Ok(Vec::new()) };
    agent.remove(&global_id).await.map_err(|err| {
        run.failure(format!("remove extension {global_id} at site {at}: {}", err.reason()))
    })
}

/// Has the member site of `resource` leave its extension, with every other member being
/// deleted now; nothing to do when the extension itself is being deleted.
async fn leave(run: &Run, resource: &Resource) -> Result<Vec<String>, Failure> {
    let held = run.resources()?;
    let deleting = |kind, site: Option<&str>, name: &str| {
        held.iter().any(|r| {
            r.kind == kind
                && site.is_none_or(|site| r.site == site)
                && r.name == name
                && r.state == ResourceState::Deleting
        })
    };
    let network = &resource.name;
    let extension = run.nsr.extensions.iter().find(|e| &e.network == network);
    let Some(extension) = extension.filter(|_| !deleting(ResourceKind::Extension, None, network))
    else {
        return Ok(Vec::new());
    };
    let staying: Vec<String> = extension
        .sites
        .iter()
        .filter(|s| !deleting(ResourceKind::Member, Some(s), network))
        .cloned()
        .collect();
    let agent = run.agent(&extension.master)?;
    agent.set_sites(&extension.global_id, network, &staying).await.map_err(|err| {
        run.failure(format!(
            "remove site {} from extension {}: {}",
            resource.site,
            extension.global_id,
            err.reason()
        ))
    })
}
