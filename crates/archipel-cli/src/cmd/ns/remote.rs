//! What the NFVO's clients (`archipel ns`, `archipel site`) share: where the NFVO is, and how
//! results print.

use std::io::IsTerminal;

use archipel_nfvo::api::dto::NsLcmOpOcc;
use archipel_nfvo::client::NfvoClient;
use clap::Args;

use crate::cmd::tls::CaArgs;
use crate::credentials;
use crate::output::{self, Format, Tabular};

/// The flags of every NFVO client. The token comes from `archipel login` (or `ARCHIPEL_TOKEN`).
#[derive(Debug, Args)]
pub struct RemoteArgs {
    /// The NFVO to talk to.
    #[arg(
        long,
        global = true,
        env = "ARCHIPEL_ENDPOINT",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080",
        value_parser = parse_endpoint
    )]
    pub endpoint: String,
    /// How results are printed.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    pub output: Format,
    #[command(flatten)]
    pub ca: CaArgs,
}

fn parse_endpoint(url: &str) -> Result<String, String> {
    NfvoClient::new(url)
        .map(|_| url.to_owned())
        .map_err(|_| "expected a URL such as http://127.0.0.1:8080".to_owned())
}

/// A client of the NFVO and the output format.
#[derive(Debug)]
pub struct Remote {
    pub client: NfvoClient,
    pub output: Format,
    /// The NFVO's URL as given.
    pub endpoint: String,
}

impl Remote {
    /// A client of the NFVO with the token `archipel login` kept for it, or `ARCHIPEL_TOKEN`.
    pub fn new(args: RemoteArgs) -> anyhow::Result<Self> {
        let tls = args.ca.client(&[&args.endpoint])?.map(|tls| tls.config);
        let client = NfvoClient::with_tls(&args.endpoint, tls)?;
        let client = match credentials::token_for(&args.endpoint)? {
            Some(token) => client.with_token(token),
            None => client,
        };
        Ok(Self { client, output: args.output, endpoint: args.endpoint })
    }

    /// A client of the NFVO that sends no token (to log in).
    pub fn anonymous(args: RemoteArgs) -> anyhow::Result<Self> {
        let tls = args.ca.client(&[&args.endpoint])?.map(|tls| tls.config);
        let client = NfvoClient::with_tls(&args.endpoint, tls)?;
        Ok(Self { client, output: args.output, endpoint: args.endpoint })
    }

    pub fn print_one<T: Tabular>(&self, item: &T) -> anyhow::Result<()> {
        output::emit(output::render_one(self.output, item)?)?;
        Ok(())
    }

    pub fn print_list<T: Tabular>(&self, items: &[T]) -> anyhow::Result<()> {
        output::emit(output::render_list(self.output, items)?)?;
        Ok(())
    }

    /// Follows an operation to its end, showing its steps on stderr when that is a terminal;
    /// an operation that did not complete is an error.
    pub async fn follow(&self, op: &NsLcmOpOcc) -> anyhow::Result<NsLcmOpOcc> {
        let terminal = std::io::stderr().is_terminal();
        let kind = op.lcm_operation_type.to_lowercase();
        let ended = follow_op(&self.client, op, |line| {
            if terminal {
                eprintln!("{kind}: {line}");
            }
        })
        .await?;
        if terminal {
            eprintln!("{kind}: completed");
        }
        Ok(ended)
    }

    /// The id of the network service `word` names: its id, a unique prefix of it, or its name.
    pub async fn ns_id(&self, word: &str) -> anyhow::Result<String> {
        let all = self.client.ns_instances().await?;
        if let Some(ns) = all.iter().find(|ns| ns.id == word) {
            return Ok(ns.id.clone());
        }
        let matches: Vec<&str> = all
            .iter()
            .filter(|ns| ns.id.starts_with(word) || ns.ns_instance_name == word)
            .map(|ns| ns.id.as_str())
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).to_owned()),
            [] => anyhow::bail!("no network service {word}"),
            several => anyhow::bail!(
                "{word} names several network services ({}): use an id",
                several.join(", ")
            ),
        }
    }
}

/// Follows operation `op` to its end, handing `show` each new step as `STEP` or `STEP: DETAIL`;
/// an operation that did not complete is an error naming its step and reason.
pub async fn follow_op(
    client: &NfvoClient,
    op: &NsLcmOpOcc,
    mut show: impl FnMut(&str),
) -> anyhow::Result<NsLcmOpOcc> {
    let mut shown = None;
    let ended = client
        .wait(&op.id, |op| {
            let line = match (&op.current_step, &op.step_detail) {
                (Some(step), Some(detail)) => format!("{step}: {detail}"),
                (Some(step), None) => step.clone(),
                _ => return,
            };
            if shown.as_ref() != Some(&line) {
                show(&line);
                shown = Some(line);
            }
        })
        .await?;
    if ended.operation_state != "COMPLETED" {
        let why = ended
            .failure
            .as_ref()
            .map(|f| format!(" at step {}: {}", f.step, f.reason))
            .unwrap_or_default();
        let kind = op.lcm_operation_type.to_lowercase();
        anyhow::bail!("{kind} {} ended {}{why}", ended.id, ended.operation_state);
    }
    Ok(ended)
}
