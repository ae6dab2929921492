//! SIPp's own word on the calls: the client's container is followed at its site's popd until
//! it ends, then its log (Pop `Logs`) gives sipp's final screens; the server's says what it
//! received and answered, once it is stopped (sipp prints its screens as it ends).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use archipel_nfvo::api::dto::NsInstance;
use archipel_pop_client::{pb, Client, Filter};

/// How often the client's container is looked at.
const POLL: Duration = Duration::from_millis(250);

/// A VNFC instance of the network service: its container, site and address.
#[derive(Debug, Clone)]
pub struct Vnfc {
    pub name: String,
    pub site: String,
    pub address: String,
}

/// The first VNFC instance of VNF `vnf`.
pub fn vnfc(ns: &NsInstance, vnf: &str) -> anyhow::Result<Vnfc> {
    let vnfc = ns
        .vnf_instance
        .iter()
        .find(|v| v.vnfd_id == vnf)
        .and_then(|v| v.vnfc_instances.first())
        .with_context(|| format!("the network service {} has no instance of {vnf}", ns.id))?;
    Ok(Vnfc {
        name: vnfc.name.clone(),
        site: vnfc.vim_id.clone(),
        address: vnfc.addresses.values().next().cloned().unwrap_or_default(),
    })
}

/// A container that has ended, and what it wrote.
#[derive(Debug, Clone)]
pub struct Ended {
    /// EXITED or FAILED.
    pub status: String,
    pub exit_code: Option<i32>,
    pub log: String,
}

/// Waits until container `name` has ended (EXITED or FAILED), at most `limit`, then reads its
/// log.
pub async fn await_end(pop: &Client, name: &str, limit: Duration) -> anyhow::Result<Ended> {
    let deadline = Instant::now() + limit;
    loop {
        let container = pop
            .container(&Filter::name(name))
            .await
            .with_context(|| format!("looking at container {name}"))?;
        let status = pb::container::Status::try_from(container.status)
            .unwrap_or(pb::container::Status::Unavailable);
        if matches!(status, pb::container::Status::Exited | pb::container::Status::Failed) {
            let log = log(pop, name).await?;
            let status = status.as_str_name().to_owned();
            return Ok(Ended { status, exit_code: container.exit_code, log });
        }
        if Instant::now() >= deadline {
            let log = log(pop, name).await.unwrap_or_default();
            bail!(
                "container {name} still runs after {} s; its log ends with:\n{}",
                limit.as_secs(),
                tail(&log, 15)
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Stops container `name` (sipp ends on SIGTERM, printing its screens), then reads its log.
pub async fn stop(pop: &Client, name: &str) -> anyhow::Result<Ended> {
    pop.stop(&Filter::name(name), Some(Duration::from_secs(10)))
        .await
        .with_context(|| format!("stopping container {name}"))?;
    await_end(pop, name, Duration::from_secs(15)).await
}

/// The container's output (Pop `Logs`), as text.
pub async fn log(pop: &Client, name: &str) -> anyhow::Result<String> {
    let logs = pop
        .logs(&Filter::name(name), None)
        .await
        .with_context(|| format!("reading the log of container {name}"))?;
    Ok(String::from_utf8_lossy(&logs.output).into_owned())
}

/// sipp's cumulative counters from its last statistics screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub successful: Option<u64>,
    pub failed: Option<u64>,
}

pub fn counters(log: &str) -> Counters {
    Counters { successful: counter(log, "Successful call"), failed: counter(log, "Failed call") }
}

/// The cumulative value (the last column) of the last `name` row.
fn counter(log: &str, name: &str) -> Option<u64> {
    let line = log.lines().rev().find(|l| l.trim_start().starts_with(name))?;
    line.rsplit('|').next()?.trim().parse().ok()
}

/// What shows that the calls went through, from a sipp log: the entrypoint's own lines
/// (`sipp-client: calling …`), the message rows of sipp's last scenario screen, and the rows
/// of its last statistics screen named in `counters`.
pub fn screen(log: &str, counters: &[&str]) -> Vec<String> {
    let lines: Vec<&str> = log.lines().map(str::trim_end).collect();
    let mut shown: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("sipp-client:") || l.starts_with("sipp-server:"))
        .map(|l| (*l).to_owned())
        .collect();
    let last_screen = lines.iter().rposition(|l| l.contains("Scenario Screen")).unwrap_or(0);
    shown.extend(
        lines[last_screen..]
            .iter()
            .filter(|l| l.contains("---------->") || l.contains("<----------"))
            .map(|l| (*l).to_owned()),
    );
    for name in counters {
        if let Some(row) = lines.iter().rev().find(|l| l.trim_start().starts_with(name)) {
            shown.push((*row).to_owned());
        }
    }
    shown
}

/// Whether the client placed `calls` calls, all answered: sipp's counters and its exit code
/// (0: every call succeeded) say so. The message when not.
pub fn verdict(client: &Ended, calls: u32) -> Result<(), String> {
    let Counters { successful, failed } = counters(&client.log);
    let show = |n: Option<u64>| n.map_or_else(|| "no".to_owned(), |n| n.to_string());
    if successful == Some(u64::from(calls)) && failed == Some(0) && client.exit_code == Some(0) {
        return Ok(());
    }
    Err(format!(
        "SIPp's client counted {} successful and {} failed calls of {calls}, and ended {} (exit \
         code {})",
        show(successful),
        show(failed),
        client.status,
        client.exit_code.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
    ))
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The end of a real sipp client's log (sipp 3.6, `-m 10`), trailing spaces trimmed.
    const CLIENT_LOG: &str = "\
sipp-client: calling 10.200.0.2:5060 from 10.200.0.3
------------------------------ Scenario Screen -------- [1-9]: Change Screen --
  Call rate (length)   Port   Total-time  Total-calls  Remote-host
  10.0(0 ms)/1.000s   5060       1.00 s           10  10.200.0.2:5060(UDP)

                                 Messages  Retrans   Timeout   Unexpected-Msg
      INVITE ---------->         10        0         0
         100 <----------         0         0         0         0
         180 <----------         10        0         0         0
         200 <----------  E-RTD1 10        0         0         0
         ACK ---------->         10        0
       Pause [      0ms]         10                            0
         BYE ---------->         10        0         0
         200 <----------         10        0         0         0

------------------------------ Test Terminated --------------------------------
----------------------------- Statistics Screen ------- [1-9]: Change Screen --
  Counter Name           | Periodic value            | Cumulative value
-------------------------+---------------------------+--------------------------
  Outgoing calls created |        0                  |       10
-------------------------+---------------------------+--------------------------
  Successful call        |        0                  |       10
  Failed call            |        0                  |        0
-------------------------+---------------------------+--------------------------
------------------------------ Test Terminated --------------------------------
";

    fn ended(log: &str, exit_code: i32) -> Ended {
        Ended { status: "EXITED".into(), exit_code: Some(exit_code), log: log.into() }
    }

    #[test]
    fn reads_the_cumulative_counters() {
        assert_eq!(counters(CLIENT_LOG), Counters { successful: Some(10), failed: Some(0) });
        assert_eq!(counters("nothing"), Counters::default());
    }

    #[test]
    fn shows_the_messages_and_the_counters_asked() {
        let shown = screen(CLIENT_LOG, &["Successful call", "Failed call"]);
        assert_eq!(shown[0], "sipp-client: calling 10.200.0.2:5060 from 10.200.0.3");
        assert_eq!(shown.len(), 1 + 7 + 2, "{shown:#?}");
        assert!(shown[1].contains("INVITE ---------->"));
        assert!(shown[8].starts_with("  Successful call"));
    }

    #[test]
    fn every_call_must_have_succeeded() {
        assert_eq!(verdict(&ended(CLIENT_LOG, 0), 10), Ok(()));
        assert!(verdict(&ended(CLIENT_LOG, 0), 11).is_err());
        assert!(verdict(&ended(CLIENT_LOG, 1), 10).is_err());
        let failed = CLIENT_LOG.replace(
            "  Failed call            |        0                  |        0",
            "  Failed call            |        0                  |        2",
        );
        let why = verdict(&ended(&failed, 1), 10).unwrap_err();
        assert!(why.contains("10 successful and 2 failed calls of 10"), "{why}");
    }
}
