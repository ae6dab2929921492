//! The watch: what each site's Watch stream says of the VNFC instances of ACTIVE network
//! services. A workload that ends unexpectedly (FAILED, or EXITED while its VNF should run)
//! makes its VNFC, VNF record and NSR DEGRADED and raises an alarm; one that runs again clears
//! it; a site that stops answering makes its VNFCs UNKNOWN, and the full re-read after the
//! reconnect brings the truth back. Records an operation is working on are left to it: a heal
//! re-reads its sites when it ends.

mod follow;
mod hooks;

pub(super) use hooks::alarm_changed;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::Nfvo;
use crate::error::NfvoError;
use crate::ids;
use crate::model::{Alarm, Health, HealthState, Nsr, OperationState, SiteReach, Status};
use crate::vim::PopContainer;

pub(super) use follow::auto_heal_delay;
pub use follow::Watching;

/// How the watch follows the sites and heals without an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchConfig {
    /// How often a followed site must answer Info; one that does not is taken as cut off.
    pub probe: Duration,
    /// The first wait before reconnecting to a site; it doubles up to `backoff_max`.
    pub backoff: Duration,
    pub backoff_max: Duration,
    /// Heals begun without an operator before the alarm is left raised.
    pub auto_heal_attempts: u32,
    /// The wait before the first of them; it doubles with each.
    pub auto_heal_backoff: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            probe: Duration::from_secs(5),
            backoff: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            auto_heal_attempts: 3,
            auto_heal_backoff: Duration::from_secs(1),
        }
    }
}

/// What a container's status says of its VNFC; None: nothing new (being made or stopped).
fn verdict(site: &str, container: &PopContainer) -> Option<(HealthState, Option<String>)> {
    let ended = |how: &str| {
        let code = container.exit_code.map(|c| format!(" (exit code {c})")).unwrap_or_default();
        Some((
            HealthState::Degraded,
            Some(format!("{} {how} at site {site}{code}", container.name)),
        ))
    };
    match container.status.as_str() {
        "RUNNING" => Some((HealthState::Healthy, None)),
        "FAILED" => ended("failed"),
        "EXITED" => ended("exited"),
        _ => None,
    }
}

impl Nfvo {
    /// Whether the watch reaches site `name` now.
    pub fn site_reach(&self, name: &str) -> SiteReach {
        let reach = self.inner.reach.lock().unwrap_or_else(|p| p.into_inner());
        reach.get(name).copied().unwrap_or_default()
    }

    fn set_site_reach(&self, name: &str, state: SiteReach) {
        let mut reach = self.inner.reach.lock().unwrap_or_else(|p| p.into_inner());
        if reach.insert(name.to_owned(), state) != Some(state) {
            tracing::info!(site = %name, reachability = state.as_str(), "site reachability");
        }
    }

    /// Applies what site `site` says of `seen` containers; `full`: they are all it holds, so a
    /// VNFC missing from them is gone.
    pub fn observe(&self, site: &str, seen: &[PopContainer], full: bool) -> Result<(), NfvoError> {
        let by_name: BTreeMap<&str, &PopContainer> =
            seen.iter().map(|c| (c.name.as_str(), c)).collect();
        let gone = |name: &str| {
            let reason = format!("{name} is gone from site {site}");
            Some((HealthState::Degraded, Some(reason)))
        };
        let to_heal = self.update_vnfcs(site, |name, pop_status| match by_name.get(name) {
            Some(c) => {
                pop_status.clone_from(&c.status);
                verdict(site, c)
            }
            None if full => gone(name),
            None => None,
        })?;
        for id in to_heal {
            self.schedule_auto_heal(&id);
        }
        Ok(())
    }

    /// Site `site` does not answer: what its VNFCs do is unknown (not failed).
    pub fn site_lost(&self, site: &str, reason: &str) -> Result<(), NfvoError> {
        self.set_site_reach(site, SiteReach::Unreachable);
        let unknown =
            Some((HealthState::Unknown, Some(format!("site {site} does not answer: {reason}"))));
        self.update_vnfcs(site, |_, _| unknown.clone())?;
        Ok(())
    }

    /// Gives each VNFC at `site` of every ACTIVE NSR no operation works on the health
    /// `judge(name, pop status)` says (None: unchanged), raises and clears the alarms, and
    /// returns the NSRs to heal without an operator.
    fn update_vnfcs(
        &self,
        site: &str,
        mut judge: impl FnMut(&str, &mut String) -> Option<(HealthState, Option<String>)>,
    ) -> Result<Vec<String>, NfvoError> {
        let _gate = self.gate();
        let busy: BTreeSet<String> = self
            .store()
            .ops(Some(OperationState::Processing))?
            .into_iter()
            .map(|op| op.nsr_id)
            .collect();
        let mut to_heal = Vec::new();
        for mut nsr in self.store().nsrs()? {
            if busy.contains(&nsr.id) || nsr.status != Status::Active {
                continue;
            }
            let before = nsr.clone();
            let now = ids::now();
            let mut raised = Vec::new();
            for vnfr in &mut nsr.vnfrs {
                for vnfc in vnfr.vnfcs.iter_mut().filter(|v| v.site == site) {
                    let Some((state, reason)) = judge(&vnfc.name, &mut vnfc.pop_status) else {
                        continue;
                    };
                    // A site that is lost says nothing new of a workload known to have failed.
                    let failed = vnfc.health.state == HealthState::Degraded;
                    if state == HealthState::Unknown && failed {
                        continue;
                    }
                    if vnfc.health.state != state || vnfc.health.reason != reason {
                        vnfc.health = Health::new(state, reason.clone(), now);
                    }
                    if state == HealthState::Degraded {
                        raised.push((vnfc.name.clone(), reason.unwrap_or_default()));
                    } else if state == HealthState::Healthy {
                        clear_alarms(&mut nsr.alarms, &vnfc.name, now);
                    }
                }
            }
            let mut newly_raised = false;
            for (vnfc, reason) in raised {
                newly_raised |= raise_alarm(&mut nsr, &vnfc, site, &reason, now);
            }
            refresh_health(&mut nsr, now);
            if nsr == before {
                continue;
            }
            self.store().put_nsr(&nsr)?;
            hooks::changed(self.events(), &before, &nsr);
            if newly_raised && nsr.auto_heal {
                to_heal.push(nsr.id.clone());
            }
        }
        Ok(to_heal)
    }
}

/// Raises an alarm on `vnfc` unless one is raised already; whether it did.
fn raise_alarm(nsr: &mut Nsr, vnfc: &str, site: &str, reason: &str, now: i64) -> bool {
    if nsr.alarms.iter().any(|a| a.vnfc == vnfc && a.cleared.is_none()) {
        return false;
    }
    nsr.alarms.push(Alarm {
        id: ids::new_id(),
        vnfc: vnfc.to_owned(),
        site: site.to_owned(),
        reason: reason.to_owned(),
        raised: now,
        cleared: None,
        acknowledged: false,
    });
    true
}

/// Clears the raised alarms of `vnfc`; the alarms it cleared.
pub(super) fn clear_alarms(alarms: &mut [Alarm], vnfc: &str, now: i64) -> Vec<Alarm> {
    let mut cleared = Vec::new();
    for alarm in alarms.iter_mut().filter(|a| a.vnfc == vnfc && a.cleared.is_none()) {
        alarm.cleared = Some(now);
        cleared.push(alarm.clone());
    }
    cleared
}

/// Each VNF record's health is the worst of its VNFCs', the NSR's the worst of its VNF records'.
pub(super) fn refresh_health(nsr: &mut Nsr, now: i64) {
    for vnfr in &mut nsr.vnfrs {
        vnfr.health = vnfr.health.worst_of(vnfr.vnfcs.iter().map(|v| &v.health), now);
    }
    nsr.health = nsr.health.worst_of(nsr.vnfrs.iter().map(|v| &v.health), now);
}
