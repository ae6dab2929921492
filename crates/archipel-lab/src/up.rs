//! `lab up`: the namespaces and the underlay, then every site's popd, then every agent.

use crate::context::LabContext;
use crate::error::LabError;
use crate::plan::LabPlan;
use crate::{down, pki, process, swarm, topology};

/// Brings the planned lab up and returns its context (also written to `DIR/lab.json`). On
/// failure, whatever was made is taken down again. The daemons are the running executable
/// (`archipel`) started as `popd` and `agent`.
pub async fn up(plan: &LabPlan) -> Result<LabContext, LabError> {
    let mut ctx = plan.context()?;
    let path = ctx.path();
    if path.exists() {
        return Err(LabError::AlreadyUp(path));
    }
    // Another lab of the same name would be adopted, and taken down with this one on failure.
    topology::check_free(&ctx).await?;
    for dir in [&ctx.dir, &ctx.images_dir] {
        std::fs::create_dir_all(dir).map_err(LabError::io("create", dir))?;
    }
    for site in &ctx.sites {
        std::fs::create_dir_all(&site.dir).map_err(LabError::io("create", &site.dir))?;
    }
    // Written first, so that `lab down` finds everything even if this process dies midway.
    ctx.save()?;
    match build(&mut ctx).await {
        Ok(()) => Ok(ctx),
        Err(err) => {
            if let Err(cleanup) = down::down(&path).await {
                tracing::warn!(error = %cleanup, "taking the half-made lab down failed too");
            }
            Err(err)
        }
    }
}

async fn build(ctx: &mut LabContext) -> Result<(), LabError> {
    pki::make(ctx)?;
    topology::create(ctx).await?;
    for site in ctx.sites.iter().filter(|s| s.on_swarm()) {
        swarm::create(site).await?;
    }
    for i in 0..ctx.sites.len() {
        let (url, pid) = process::start_popd(ctx, &ctx.sites[i], 0)?;
        ctx.sites[i].popd_url = url;
        ctx.sites[i].popd_pid = Some(pid);
        ctx.save()?;
    }
    for i in 0..ctx.sites.len() {
        let pid = process::start_agent(ctx, &ctx.sites[i])?;
        ctx.sites[i].agent_pid = Some(pid);
        ctx.save()?;
    }
    Ok(())
}
