//! `ns events`: what happens to network services, from the NFVO's event stream.

use std::io::Write;

use archipel_nfvo::client::StreamedEvent;
use clap::Args;

use super::Remote;
use crate::output::Format;

/// Print the NFVO's recent events (operations beginning and ending, alarms, health changes),
/// one a line; with --follow, keep printing them as they happen.
#[derive(Debug, Args)]
#[command(after_help = "\
Each line: TIME KIND TYPE NS-ID and what changed; with --output json, the event's data as one
JSON object a line.

Example:
  archipel ns events --follow")]
pub struct EventsArgs {
    /// Keep printing events as they happen, until the NFVO stops or Ctrl-C.
    #[arg(long, short = 'f')]
    follow: bool,
}

pub async fn run(remote: &Remote, args: EventsArgs) -> anyhow::Result<()> {
    let format = remote.output;
    let mut failed = None;
    remote
        .client
        .events(args.follow, |event| {
            let line = match format {
                Format::Json => event.data.to_string(),
                _ => line(&event),
            };
            let mut stdout = std::io::stdout().lock();
            if let Err(err) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
                failed.get_or_insert(err);
            }
        })
        .await?;
    match failed {
        Some(err) => Err(err.into()),
        None => Ok(()),
    }
}

/// `TIME KIND TYPE ID` (of the NS, or of the NSD) and the fields that say what changed.
fn line(event: &StreamedEvent) -> String {
    let text = |field: &str| event.data[field].as_str().unwrap_or("-").to_owned();
    let subject = event.data["nsInstanceId"].as_str().or(event.data["nsdInfoId"].as_str());
    let subject = subject.unwrap_or("-");
    let mut line = format!("{} {} {} {subject}", text("time"), event.kind, text("type"));
    for field in
        ["operation", "notificationStatus", "operationState", "nsdOperationalState", "error"]
    {
        if let Some(value) = event.data[field].as_str() {
            line.push_str(&format!(" {field}={value}"));
        }
    }
    for field in ["alarm", "health"] {
        if let Some(value) = event.data.get(field) {
            line.push_str(&format!(" {field}={value}"));
        }
    }
    line
}
