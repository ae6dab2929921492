//! `site add`: register a site.

use archipel_nfvo::api::dto::SiteRequest;
use clap::Args;

use super::Remote;
use crate::usage::UsageError;

/// Register a site by its popd and, for virtual links that span sites, its inter-site agent. The
/// NFVO checks that the popd answers with these credentials, and that the agent answers with its
/// token and serves a site of this name.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  POP_AUTH=admin:secret archipel site add site-a --pop http://127.0.0.1:60000
  eval \"$(archipel lab env a)\"; archipel site add a --pop \"$POP_ENDPOINT\" --agent \"$ARCHIPEL_AGENT\"")]
pub struct AddArgs {
    /// The site's name: letters, digits, '-', '_', '.'.
    #[arg(value_name = "NAME")]
    name: String,
    /// The site's popd.
    #[arg(long, value_name = "URL")]
    pop: String,
    /// The site's inter-site agent; its name for the site must be NAME.
    #[arg(long, value_name = "URL")]
    agent: Option<String>,
    /// The agent's North bearer token (required with --agent).
    #[arg(long, env = "ARCHIPEL_AGENT_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    agent_token: Option<String>,
    /// Who the NFVO logs in to the popd as.
    #[arg(
        long,
        env = "POP_AUTH",
        value_name = "USER:PASSWORD",
        value_parser = parse_auth,
        hide_env_values = true
    )]
    auth: Option<Auth>,
}

#[derive(Clone)]
struct Auth {
    username: String,
    password: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("username", &self.username).finish_non_exhaustive()
    }
}

/// `USER:PASSWORD`, split at the first colon (a password may hold colons).
fn parse_auth(text: &str) -> Result<Auth, String> {
    match text.split_once(':') {
        Some((username, password)) if !username.is_empty() => {
            Ok(Auth { username: username.to_owned(), password: password.to_owned() })
        }
        _ => Err("expected USER:PASSWORD".to_owned()),
    }
}

impl AddArgs {
    pub fn request(&self) -> Result<SiteRequest, UsageError> {
        let auth = self.auth.as_ref().ok_or(UsageError::NoAuth)?;
        Ok(SiteRequest {
            name: self.name.clone(),
            pop_endpoint: self.pop.clone(),
            username: auth.username.clone(),
            password: auth.password.clone(),
            agent_endpoint: self.agent.clone(),
            agent_token: self.agent.as_ref().and(self.agent_token.clone()),
        })
    }
}

pub async fn run(remote: &Remote, args: AddArgs) -> anyhow::Result<()> {
    let site = remote.client.add_site(&args.request()?).await?;
    remote.print_one(&site)
}
