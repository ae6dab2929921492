//! Everything the demo made goes, in the reverse order: the network service is terminated
//! through the NFVO, the NFVO stops, the lab goes down (daemons, containers, namespaces,
//! links, files), and the demo's directory is removed. Each part is attempted even when an
//! earlier one failed; the first failure is returned.

use std::time::Duration;

use anyhow::Context as _;
use archipel_lab::LabContext;
use archipel_nfvo::client::NfvoClient;

use super::made::Made;
use super::ops;
use super::progress::{Progress, Step};
use super::sipp::tail;

/// How long an operation left running (an instantiate cut short) has to end first.
const SETTLE: Duration = Duration::from_secs(120);

pub async fn teardown(made: &mut Made, progress: &Progress) -> anyhow::Result<()> {
    let mut first: Option<anyhow::Error> = None;
    let mut keep_first = |result: anyhow::Result<()>| {
        if let Err(err) = result {
            first.get_or_insert(err);
        }
    };
    if let (Some(nfvo), Some(ns)) = (&made.nfvo, made.ns.clone()) {
        let step = progress.begin(format!(
            "terminate: the network service's containers, networks and L2 extension go from both \
             sites (POST /nslcm/v1/ns_instances/{ns}/terminate)"
        ));
        let result = terminate(nfvo.client(), &ns, &step).await;
        keep_first(step.end(result));
        made.ns = None;
    }
    if let Some(nfvo) = made.nfvo.take() {
        let step = progress.begin("orchestrator: stopped");
        keep_first(step.end(nfvo.stop().await));
    }
    if let Some(path) = made.lab.take() {
        let step = progress.begin("lab down: agents, popds, containers, namespaces, links, files");
        let result = archipel_lab::down(&path).await.map(drop).context("taking the lab down");
        keep_first(step.end(result));
        made.ctx = None;
    }
    keep_first(remove_files(made));
    first.map_or(Ok(()), Err)
}

/// Terminates the network service once no operation of it runs; one that was never
/// instantiated (or whose instantiation was rolled back) holds nothing and is left as it is.
async fn terminate(client: &NfvoClient, ns: &str, step: &Step<'_>) -> anyhow::Result<()> {
    ops::settle(client, ns, SETTLE).await?;
    let nsr = client.ns_instance(ns).await?;
    if nsr.ns_state != "INSTANTIATED" {
        step.detail(format!("network service {ns} holds nothing at the sites ({})", nsr.status));
        return Ok(());
    }
    let op = client.terminate(ns).await.context("terminating the network service")?;
    ops::follow(client, &op, step).await
}

/// The NFVO's store, then the demo's directory if nothing else is left in it.
fn remove_files(made: &Made) -> anyhow::Result<()> {
    let store = made.nfvo_dir();
    match std::fs::remove_dir_all(&store) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("removing {}", store.display()));
        }
        _ => {}
    }
    match std::fs::remove_dir(&made.dir) {
        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => {
            tracing::warn!(dir = %made.dir.display(), "the demo's directory holds other files: left");
            Ok(())
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", made.dir.display()))
        }
        _ => Ok(()),
    }
}

/// The ends of the lab's daemon logs, on stderr: after a failure, before the teardown removes
/// them. Colours and the netlink library's warnings about newer kernels are left out.
pub fn show_logs(ctx: &LabContext) {
    let mut out = String::from("the ends of the lab's daemon logs (removed with the lab):\n");
    for site in &ctx.sites {
        for log in [site.popd_log(), site.agent_log()] {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let kept: Vec<String> = text
                .lines()
                .filter(|l| !l.contains("netlink_packet_route"))
                .map(without_colours)
                .collect();
            out.push_str(&format!("--- {}\n{}\n", log.display(), tail(&kept.join("\n"), 12)));
        }
    }
    eprint!("{out}");
}

/// `line` without its ANSI escape sequences (`ESC [ … letter`).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_colours;

    #[test]
    fn colours_go() {
        assert_eq!(
            without_colours("\u{1b}[2mtime\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m x"),
            "time  INFO x"
        );
        assert_eq!(without_colours("plain"), "plain");
    }
}
