//! `pop logs`: a container's output.

use archipel_pop_client::Filter;
use clap::Args;

use super::Context;
use crate::output;

/// Print the output (stdout and stderr) of a container's workload, as it is.
#[derive(Debug, Args)]
#[command(after_help = "\
--output does not apply: the bytes are printed as the workload wrote them. A reply
holds at most about 4 MiB: of a longer output only the last part is printed, and a
note on stderr says it is truncated.

Example:
  archipel pop logs sipp-client --tail 20")]
pub struct LogsArgs {
    /// A container name, or an id (tried when no container has that name).
    #[arg(value_name = "NAME|ID")]
    container: String,
    /// Only the last N lines.
    #[arg(long, value_name = "N")]
    tail: Option<u32>,
}

pub async fn run(ctx: &Context, args: LogsArgs) -> anyhow::Result<()> {
    let logs = ctx.client()?.logs(&Filter::name_or_id(args.container), args.tail).await?;
    output::emit(&logs.output)?;
    if logs.truncated {
        eprintln!(
            "note: truncated: the output asked for is longer than a reply holds (4 MiB); these \
             are its last {} bytes",
            logs.output.len()
        );
    }
    Ok(())
}
