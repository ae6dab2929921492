//! VNIs reserved before they are used: every participant holds the master's candidate for the
//! service in its store, so that two masters making services over one site at once never both
//! get a VNI there.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use futures::future::join_all;

use super::checks::check_vni;
use super::Agent;
use crate::error::AgentError;
use crate::model::FreeReply;

/// How long a reservation holds a VNI for a service that has not been joined; a joined service
/// holds its VNI itself.
const VNI_RESERVATION_TTL: Duration = Duration::from_secs(60);

use archipel_daemon::ids::now_millis as now_ms;

/// The outcome of reserving a VNI at several sites.
pub(super) enum Reserved {
    /// Held at every site; their underlay addresses.
    All(BTreeMap<String, Ipv4Addr>),
    /// `site` has it for something else; no site holds it any more for the service.
    Taken { site: String, conflict: String },
}

impl Agent {
    /// East-West from `caller`, which made `global_id`: [`Agent::hold_vni`].
    pub fn reserve_vni(
        &self,
        caller: &str,
        vni: u32,
        global_id: &str,
    ) -> Result<FreeReply, AgentError> {
        check_vni(vni)?;
        self.check_owner(caller, global_id)?;
        self.hold_vni(vni, global_id)
    }

    /// East-West from `caller`, which made `global_id`: [`Agent::drop_vni`].
    pub fn release_vni(&self, caller: &str, vni: u32, global_id: &str) -> Result<(), AgentError> {
        self.check_owner(caller, global_id)?;
        self.drop_vni(vni, global_id)
    }

    /// Holds `vni` for `global_id` unless a service of another id uses it or holds it (then
    /// `free` is false and `conflict` names that service).
    pub(super) fn hold_vni(&self, vni: u32, global_id: &str) -> Result<FreeReply, AgentError> {
        let now = now_ms();
        let ttl = i64::try_from(VNI_RESERVATION_TTL.as_millis()).unwrap_or(i64::MAX);
        let conflict = self.store.reserve_vni(vni, global_id, now, now.saturating_add(ttl))?;
        Ok(FreeReply { free: conflict.is_none(), conflict, underlay: self.cfg.underlay })
    }

    /// Drops what this site holds of `vni` for `global_id`.
    pub(super) fn drop_vni(&self, vni: u32, global_id: &str) -> Result<(), AgentError> {
        Ok(self.store.release_vni(vni, global_id)?)
    }

    /// East-West query: whether no service of this site uses `vni` and no reservation holds it.
    pub fn vni_free(&self, vni: u32) -> Result<FreeReply, AgentError> {
        let conflict = self.store.vni_holder(vni, now_ms())?;
        Ok(FreeReply { free: conflict.is_none(), conflict, underlay: self.cfg.underlay })
    }

    /// Reserves `vni` for `global_id` at every site of `sites` in parallel. When one refuses or
    /// fails, the others release theirs (one that cannot be told lets it lapse).
    pub(super) async fn reserve_at(
        &self,
        sites: &[String],
        vni: u32,
        global_id: &str,
    ) -> Result<Reserved, AgentError> {
        let replies =
            join_all(sites.iter().map(|s| self.peers.reserve_vni(s, vni, global_id))).await;
        let (mut underlays, mut taken, mut failed) = (BTreeMap::new(), None, None);
        for (site, reply) in sites.iter().zip(replies) {
            match reply {
                Ok(r) if r.free => {
                    underlays.insert(site.clone(), r.underlay);
                }
                Ok(r) => {
                    let conflict = r.conflict.unwrap_or_else(|| "something".into());
                    taken.get_or_insert(Reserved::Taken { site: site.clone(), conflict });
                }
                Err(err) => {
                    failed.get_or_insert(err);
                }
            }
        }
        let outcome = match (failed, taken) {
            (None, None) => return Ok(Reserved::All(underlays)),
            (Some(err), _) => Err(err.into()),
            (None, Some(taken)) => Ok(taken),
        };
        join_all(underlays.keys().map(|s| self.peers.release_vni(s, vni, global_id))).await;
        outcome
    }
}
