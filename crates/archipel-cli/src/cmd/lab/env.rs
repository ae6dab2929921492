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
    for (key, value) in site_env(ctx.site(&args.site)?) {
        println!("export {key}='{value}'");
    }
    Ok(())
}

/// The clients' variables for `site`.
pub fn site_env(site: &SiteContext) -> [(&'static str, String); 4] {
    [
        ("POP_ENDPOINT", site.popd_url.clone()),
        ("POP_AUTH", site.popd_auth.clone()),
        ("ARCHIPEL_AGENT", site.agent_url.clone()),
        ("ARCHIPEL_AGENT_TOKEN", site.agent_token.clone()),
    ]
}
