//! `ns ack`: acknowledge alarms.

use clap::Args;

use super::Remote;

/// Acknowledge alarms (SOL005 `ackState`), saying someone looks into them; `--undo` takes an
/// acknowledgement back. An alarm acknowledged already, or one whose network service an
/// operation works on, is refused.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  archipel ns alarms --raised\n  archipel ns ack 9eca63e8-3abb-417c-81f9-44a1d39cdcb9"
)]
pub struct AckArgs {
    /// Alarm ids, as `ns alarms` lists them.
    #[arg(value_name = "ALARM_ID", required = true)]
    ids: Vec<String>,
    /// Mark them unacknowledged again.
    #[arg(long)]
    undo: bool,
}

pub async fn run(remote: &Remote, args: AckArgs) -> anyhow::Result<()> {
    let state = if args.undo { "unacknowledged" } else { "acknowledged" };
    for id in &args.ids {
        remote.client.acknowledge_alarm(id, !args.undo).await?;
        eprintln!("alarm {id} {state}");
    }
    Ok(())
}
