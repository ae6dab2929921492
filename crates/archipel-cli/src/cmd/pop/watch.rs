//! `pop watch`: follow container status changes.

use anyhow::Context as _;
use archipel_pop_client::{pb, Filter};
use clap::Args;
use serde::Serialize;
use tokio::signal::unix::{signal, SignalKind};

use super::container_view::ContainerView;
use super::Context;
use crate::output::{self, rfc3339, Format};

/// Print every status change, one line each, until Ctrl-C.
#[derive(Debug, Args)]
#[command(after_help = "\
Lines are `TIME NAME STATUS EXTENDED_STATUS`; with --output json, one JSON object per line
({\"timestamp\": …, \"container\": {…}}). It starts with the current state of each container.

Example:
  archipel pop watch
  archipel pop watch web --output json")]
pub struct WatchArgs {
    /// A container name (it may not exist yet), or an id.
    #[arg(value_name = "NAME|ID")]
    container: Option<String>,
}

#[derive(Debug, Serialize)]
struct EventView {
    timestamp: Option<String>,
    container: Option<ContainerView>,
}

pub async fn run(ctx: &Context, args: WatchArgs) -> anyhow::Result<()> {
    // Listening for Ctrl-C before the first line is printed: a reader that saw a line can
    // interrupt and get a clean exit.
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let filter = args.container.map_or_else(Filter::any, Filter::name_or_id);
    let mut events = ctx.client()?.watch(&filter).await?;
    loop {
        let event = tokio::select! {
            biased;
            _ = interrupt.recv() => return Ok(()),
            event = events.next() => event?,
        };
        let Some(event) = event else {
            return Ok(());
        };
        output::emit(line(ctx.output, &event)?)?;
    }
}

fn line(format: Format, event: &pb::ContainerEvent) -> anyhow::Result<String> {
    let view = EventView {
        timestamp: rfc3339(event.timestamp),
        container: event.container.as_ref().map(ContainerView::from),
    };
    if format == Format::Json {
        return Ok(serde_json::to_string(&view)? + "\n");
    }
    let dash = || "-".to_string();
    let (name, status, detail) = view
        .container
        .map_or_else(|| (dash(), "-", String::new()), |c| (c.name, c.status, c.extended_status));
    let text = format!("{} {name} {status} {detail}", view.timestamp.unwrap_or_else(dash));
    Ok(text.trim_end().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> pb::ContainerEvent {
        pb::ContainerEvent {
            container: Some(pb::Container {
                id: "c1".into(),
                names: vec!["web".into()],
                status: pb::container::Status::Running as i32,
                extended_status: "the container is running".into(),
                ..Default::default()
            }),
            timestamp: 1488542552,
        }
    }

    #[test]
    fn text_is_one_line_per_change() {
        assert_eq!(
            line(Format::Yaml, &event()).unwrap(),
            "2017-03-03T12:02:32Z web RUNNING the container is running\n"
        );
    }

    #[test]
    fn json_is_one_object_per_line() {
        let text = line(Format::Json, &event()).unwrap();
        assert_eq!(text.lines().count(), 1);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["container"]["status"], "RUNNING");
        assert_eq!(value["timestamp"], "2017-03-03T12:02:32Z");
    }
}
