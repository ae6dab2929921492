//! `lab env`: the environment that points the clients at a site.

use std::path::Path;

use archipel_lab::{LabContext, SiteContext};
use clap::Args;

/// Print `export` lines pointing `archipel pop` and `archipel intersite` at a site's popd and
/// agent: `eval "$(archipel lab env a)"`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The site.
    site: String,
}

pub fn run(dir: Option<&Path>, args: EnvArgs) -> anyhow::Result<()> {
    let ctx = LabContext::load(&archipel_lab::context_path(dir))?;
    for (key, value) in site_env(&ctx, ctx.site(&args.site)?) {
        println!("export {key}='{value}'");
    }
    Ok(())
}

/// The clients' variables for `site` (ARCHIPEL_CA when the lab serves TLS).
pub fn site_env(ctx: &LabContext, site: &SiteContext) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("POP_ENDPOINT", site.popd_url.clone()),
        ("POP_AUTH", site.popd_auth.clone()),
        ("ARCHIPEL_AGENT", site.agent_url.clone()),
        ("ARCHIPEL_AGENT_TOKEN", site.agent_token.clone()),
    ];
    if let Some(ca) = &ctx.ca {
        env.push(("ARCHIPEL_CA", ca.display().to_string()));
    }
    env
}
