//! `ns alarms`: the alarms the NFVO's watch raised.

use clap::Args;

use super::Remote;

/// List the alarms raised on VNFC instances whose workload ended unexpectedly, raised and
/// cleared, or those of one network service.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  archipel ns alarms 1a2b3c4d --raised --output table")]
pub struct AlarmsArgs {
    /// Only this network service's: its id, a unique prefix of it, or its name.
    #[arg(value_name = "ID")]
    ns: Option<String>,
    /// Only the alarms still raised.
    #[arg(long)]
    raised: bool,
}

pub async fn run(remote: &Remote, args: AlarmsArgs) -> anyhow::Result<()> {
    let mut alarms = remote.client.alarms().await?;
    if let Some(word) = args.ns {
        let id = remote.ns_id(&word).await?;
        alarms.retain(|alarm| alarm.managed_object_id == id);
    }
    if args.raised {
        alarms.retain(|alarm| alarm.alarm_cleared_time.is_none());
    }
    remote.print_list(&alarms)
}
