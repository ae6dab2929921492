//! `lab down`: every process, namespace and link of a lab, also of one that crashed midway.

use std::path::Path;

use crate::context::{LabContext, SiteContext};
use crate::error::LabError;
use crate::{process, swarm, topology};
use archipel_netlink::RtNetlink;
use archipel_pop::runtime::docker::DockerRuntime;
use archipel_pop::runtime::native::{self, NativeLayout};

/// Takes down the lab whose context is at `path`; `None` when there is none (nothing to do).
/// Idempotent: what is already gone is skipped.
pub async fn down(path: &Path) -> Result<Option<LabContext>, LabError> {
    if !path.exists() {
        return Ok(None);
    }
    let ctx = LabContext::load(path)?;
    // Agents first: they call their popds.
    let agents: Vec<_> = ctx.sites.iter().map(SiteContext::agent_data).collect();
    process::stop(&agents);
    process::stop_wireguard(&agents);
    process::stop(&ctx.sites.iter().map(SiteContext::popd_data).collect::<Vec<_>>());
    for site in ctx.sites.iter().filter(|s| s.on_docker()) {
        sweep_docker(&ctx, site).await?;
    }
    for site in ctx.sites.iter().filter(|s| s.on_swarm()) {
        swarm::remove(site);
    }
    for site in &ctx.sites {
        sweep_native(ctx.name.as_str(), site).await?;
        process::kill_netns_processes(&site.netns);
    }
    topology::remove(&ctx).await?;
    for site in &ctx.sites {
        remove_dir(&site.dir)?;
    }
    if ctx.images_dir == ctx.dir.join("images") {
        remove_dir(&ctx.images_dir)?;
    }
    std::fs::remove_file(path).map_err(LabError::io("remove", path))?;
    remove_dir(&ctx.pki_dir())?;
    // The directory goes only if nothing else was put there.
    let _ = std::fs::remove_dir(&ctx.dir);
    Ok(Some(ctx))
}

/// Removes what the site's popd left in the Docker Engine (containers, networks), which popd
/// keeps across its own restarts.
async fn sweep_docker(ctx: &LabContext, site: &SiteContext) -> Result<(), LabError> {
    let instance = instance(&ctx.name, site);
    let docker = DockerRuntime::connect(&instance).await;
    let swept = match docker {
        Ok(docker) => docker.sweep().await,
        Err(err) => Err(err),
    };
    swept.map_err(|source| LabError::Docker { site: site.name.clone(), source: Box::new(source) })
}

/// Removes the namespaces of the site's native containers with what runs in them, through the
/// native runtime's own `sweep` (the namespaces named for that popd or recorded by it), which
/// popd keeps across its own restarts.
async fn sweep_native(lab: &str, site: &SiteContext) -> Result<(), LabError> {
    let layout = NativeLayout::new(&instance(lab, site), &native::state_dir(&site.popd_data()));
    layout
        .sweep(&RtNetlink::new())
        .await
        .map(drop)
        .map_err(|source| LabError::Native { site: site.name.clone(), source: Box::new(source) })
}

/// The instance name of the site's popd.
fn instance(lab: &str, site: &SiteContext) -> String {
    format!("{lab}-{}", site.name)
}

fn remove_dir(dir: &Path) -> Result<(), LabError> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(LabError::io("remove", dir)(e)),
        _ => Ok(()),
    }
}
