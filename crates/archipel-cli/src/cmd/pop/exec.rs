//! `pop exec`: a command run inside a running container.

use std::collections::HashMap;
use std::time::Duration;

use archipel_pop_client::Filter;
use clap::Args;
use serde::Serialize;

use super::md::parse_entry;
use super::Context;
use crate::output::{self, Format};
use crate::usage::CommandExit;

/// Run a command inside a running container, with the container's environment (its metadata),
/// and print what it writes. archipel exits with the command's exit code.
#[derive(Debug, Args)]
#[command(after_help = "\
The command runs in the container's network namespace and filesystem view, in its working
directory; standard output and standard error are printed as written (at most the last
1 MiB). It is killed at the deadline (--timeout; 30 s by default, 600 s at most), and a
note on stderr says so. With --output json the result is one JSON record instead: exitCode,
output (as text), truncated, timedOut.

Examples:
  archipel pop exec sipp-server -- sh -c 'echo $SERVER_PRIVATE'
  archipel pop exec web --env MODE=check --timeout 5 -- /bin/healthcheck")]
pub struct ExecArgs {
    /// A container name, or an id (tried when no container has that name).
    #[arg(value_name = "NAME|ID")]
    container: String,
    /// A variable added to the container's environment for this command (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_entry)]
    env: Vec<(String, String)>,
    /// The deadline, in seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: Option<u64>,
    /// The program and its arguments, after `--`.
    #[arg(value_name = "COMMAND", required = true, last = true)]
    command: Vec<String>,
}

/// What `--output json|yaml` prints.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecView {
    exit_code: i32,
    output: String,
    truncated: bool,
    timed_out: bool,
}

pub async fn run(ctx: &Context, args: ExecArgs) -> anyhow::Result<()> {
    let env: HashMap<String, String> = args.env.into_iter().collect();
    let timeout = args.timeout.map(Duration::from_secs);
    let filter = Filter::name_or_id(args.container.clone());
    let reply = ctx.client()?.exec(&filter, &args.command, &env, timeout).await?;
    if ctx.output == Format::Json {
        let view = ExecView {
            exit_code: reply.exit_code,
            output: String::from_utf8_lossy(&reply.output).into_owned(),
            truncated: reply.truncated,
            timed_out: reply.timed_out,
        };
        output::emit(output::render_document(Format::Json, &view)?)?;
    } else {
        output::emit(&reply.output)?;
    }
    if reply.truncated {
        eprintln!("note: truncated: only the last {} bytes of the output", reply.output.len());
    }
    if reply.timed_out {
        eprintln!("note: the command outlived its deadline and was killed");
    }
    match reply.exit_code {
        0 => Ok(()),
        code => Err(CommandExit { container: args.container, code }.into()),
    }
}
