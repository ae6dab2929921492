//! Choosing what must be free at every site of a service: a VNI (reserved, see
//! [`super::reserve`]), a transit segment.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use futures::future::join_all;
use ipnet::Ipv4Net;

use super::reserve::Reserved;
use super::Agent;
use crate::error::AgentError;

/// How many candidates are tried before giving up.
const ATTEMPTS: u32 = 64;

impl Agent {
    /// The lowest VNI from the configured base that this site and every remote one reserve
    /// for `global_id`, with the sites' underlay addresses. A VNI taken somewhere is released
    /// everywhere before the next is tried; on failure nothing stays reserved.
    pub(super) async fn choose_vni(
        &self,
        remotes: &[String],
        global_id: &str,
    ) -> Result<(u32, BTreeMap<String, Ipv4Addr>), AgentError> {
        let mut vni = self.cfg.vni_base;
        for _ in 0..ATTEMPTS {
            while !self.hold_vni(vni, global_id)?.free {
                vni += 1;
            }
            let reserved = self.reserve_at(remotes, vni, global_id).await;
            if !matches!(reserved, Ok(Reserved::All(_))) {
                self.drop_vni(vni, global_id)?;
            }
            match reserved? {
                Reserved::All(mut underlays) => {
                    underlays.insert(self.cfg.site.clone(), self.cfg.underlay);
                    return Ok((vni, underlays));
                }
                Reserved::Taken { site, conflict } => {
                    tracing::debug!(vni, %site, %conflict, "VNI taken, trying the next");
                    // Two masters that each won a different shared site would otherwise retry
                    // in step.
                    let pause = rand::random::<u64>() % 20;
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                    vni += 1;
                }
            }
        }
        Err(AgentError::NothingFree { what: "VNI" })
    }

    /// The first /24 of the configured transit range that overlaps nothing at any site.
    pub(super) async fn choose_transit(&self, remotes: &[String]) -> Result<Ipv4Net, AgentError> {
        let candidates = self
            .cfg
            .transit
            .subnets(24)
            .map_err(|_| AgentError::TransitTooSmall { range: self.cfg.transit })?;
        for cidr in candidates.take(ATTEMPTS as usize) {
            if !self.cidr_free(cidr).await?.free {
                continue;
            }
            // An unreachable site fails the whole request.
            let replies = join_all(remotes.iter().map(|s| self.peers.cidr_free(s, cidr))).await;
            let mut free = true;
            for reply in replies {
                free &= reply?.free;
            }
            if free {
                return Ok(cidr);
            }
        }
        Err(AgentError::NothingFree { what: "transit segment" })
    }

    /// Checks that `cidr` is free at every remote site, naming the first that holds it.
    pub(super) async fn check_cidr_free(
        &self,
        remotes: &[String],
        cidr: Ipv4Net,
    ) -> Result<(), AgentError> {
        let replies = join_all(remotes.iter().map(|s| self.peers.cidr_free(s, cidr))).await;
        for (site, reply) in remotes.iter().zip(replies) {
            let reply = reply?;
            if !reply.free {
                return Err(AgentError::CidrTaken {
                    site: site.clone(),
                    cidr,
                    conflict: reply.conflict.unwrap_or_else(|| "something".into()),
                });
            }
        }
        Ok(())
    }
}
