//! Following every registered site's Watch stream: one task per site, reconnecting with
//! backoff, each connection beginning with a full re-read of the site's containers, and a
//! periodic Info so that a site cut off (whose stream just goes quiet) is noticed.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::{SiteReach, WatchConfig};
use crate::error::chain;
use crate::model::Site;
use crate::vim::Vim;
use crate::Nfvo;

/// The least time a site has to open its Watch stream.
const CONNECT_LIMIT: Duration = Duration::from_secs(5);

/// The running watch; dropping it stops every task.
#[derive(Debug)]
pub struct Watching {
    supervisor: JoinHandle<()>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.supervisor.abort();
    }
}

impl Nfvo {
    /// Starts following every site registered now or later (sites are looked up again every
    /// probe interval).
    pub fn watch_sites(&self) -> Watching {
        let nfvo = self.clone();
        Watching { supervisor: tokio::spawn(async move { supervise(nfvo).await }) }
    }
}

/// Aborts its task when dropped.
struct SiteTask(JoinHandle<()>);

impl Drop for SiteTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn supervise(nfvo: Nfvo) {
    let probe = nfvo.config().watch.probe;
    let mut followed: BTreeMap<String, SiteTask> = BTreeMap::new();
    loop {
        match nfvo.store().sites() {
            Ok(sites) => {
                followed.retain(|name, _| sites.iter().any(|s| &s.name == name));
                for site in sites {
                    if !followed.contains_key(&site.name) {
                        let name = site.name.clone();
                        let task = tokio::spawn(follow(nfvo.clone(), site));
                        followed.insert(name, SiteTask(task));
                    }
                }
            }
            Err(err) => tracing::error!(error = %chain(&err), "watch: cannot list the sites"),
        }
        tokio::time::sleep(probe).await;
    }
}

async fn follow(nfvo: Nfvo, site: Site) {
    let config = nfvo.config().watch.clone();
    let mut backoff = config.backoff;
    loop {
        let vim = nfvo.vim(&site);
        let (connected, reason) = connection(&nfvo, &site.name, &*vim, &config).await;
        tracing::warn!(site = %site.name, %reason, "watch: site lost");
        if let Err(err) = nfvo.site_lost(&site.name, &reason) {
            tracing::error!(site = %site.name, error = %chain(&err), "watch: cannot record");
        }
        if connected {
            backoff = config.backoff;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(config.backoff_max);
    }
}

/// One connection to a site's Watch stream, until it fails: whether it was made, and why it
/// ended.
async fn connection(
    nfvo: &Nfvo,
    site: &str,
    vim: &dyn Vim,
    config: &WatchConfig,
) -> (bool, String) {
    // A site cut off may leave the call unanswered: Watch has no deadline of its own.
    let limit = config.probe.max(CONNECT_LIMIT);
    let mut events = match tokio::time::timeout(limit, vim.watch()).await {
        Ok(Ok(events)) => events,
        Ok(Err(err)) => return (false, err.reason()),
        Err(_) => return (false, format!("no answer to Watch within {limit:?}")),
    };
    // Subscribed first, so that no change falls between the list and the stream.
    let all = match vim.containers().await {
        Ok(all) => all,
        Err(err) => return (false, err.reason()),
    };
    nfvo.set_site_reach(site, SiteReach::Reachable);
    record(site, nfvo.observe(site, &all, true));
    let mut probe =
        tokio::time::interval_at(tokio::time::Instant::now() + config.probe, config.probe);
    loop {
        tokio::select! {
            event = events.next() => match event {
                Ok(Some(container)) => record(site, nfvo.observe(site, &[container], false)),
                Ok(None) => return (true, "its Watch stream ended".to_owned()),
                Err(err) => return (true, err.reason()),
            },
            _ = probe.tick() => {
                if let Err(err) = vim.info().await {
                    return (true, err.reason());
                }
            }
        }
    }
}

fn record(site: &str, result: Result<(), crate::NfvoError>) {
    if let Err(err) = result {
        tracing::error!(site, error = %chain(&err), "watch: cannot record what the site says");
    }
}

/// How long to wait before auto-heal attempt `attempt` (from 0).
pub(in crate::engine) fn auto_heal_delay(config: &WatchConfig, attempt: u32) -> Duration {
    config.auto_heal_backoff.saturating_mul(2u32.saturating_pow(attempt.min(16)))
}
