//! Choosing what must be free at every site of a service: a VNI, a transit segment.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use futures::future::{join_all, BoxFuture};
use ipnet::Ipv4Net;

use super::Agent;
use crate::error::AgentError;
use crate::model::FreeReply;
use crate::peers::PeersError;

/// How many candidates are tried before giving up.
const ATTEMPTS: u32 = 64;

/// The outcome of asking every site about one candidate.
enum Answer {
    /// Free everywhere; the sites' underlay addresses.
    Free(BTreeMap<String, Ipv4Addr>),
    Taken,
}

impl Agent {
    /// Asks every remote site in parallel; an unreachable site fails the whole request.
    async fn ask_all<'a>(
        &'a self,
        remotes: &'a [String],
        query: impl Fn(&'a str) -> BoxFuture<'a, Result<FreeReply, PeersError>>,
    ) -> Result<Answer, AgentError> {
        let replies = join_all(remotes.iter().map(|s| query(s))).await;
        let mut underlays = BTreeMap::from([(self.cfg.site.clone(), self.cfg.underlay)]);
        for (site, reply) in remotes.iter().zip(replies) {
            let reply = reply?;
            if !reply.free {
                return Ok(Answer::Taken);
            }
            underlays.insert(site.clone(), reply.underlay);
        }
        Ok(Answer::Free(underlays))
    }

    /// The lowest VNI from the configured base that no site of the service uses, with the
    /// sites' underlay addresses.
    pub(super) async fn choose_vni(
        &self,
        remotes: &[String],
    ) -> Result<(u32, BTreeMap<String, Ipv4Addr>), AgentError> {
        let mut vni = self.cfg.vni_base;
        for _ in 0..ATTEMPTS {
            while !self.vni_free(vni).await?.free {
                vni += 1;
            }
            let answer = self.ask_all(remotes, |s| Box::pin(self.peers.vni_free(s, vni))).await?;
            if let Answer::Free(underlays) = answer {
                return Ok((vni, underlays));
            }
            vni += 1;
        }
        Err(AgentError::NothingFree { what: "VNI" })
    }

    /// The first /24 of the configured transit range that overlaps nothing at any site.
    pub(super) async fn choose_transit(&self, remotes: &[String]) -> Result<Ipv4Net, AgentError> {
        let candidates = self.cfg.transit.subnets(24).map_err(|_| {
            AgentError::Invalid(format!(
                "the transit range {} is smaller than a /24",
                self.cfg.transit
            ))
        })?;
        for cidr in candidates.take(ATTEMPTS as usize) {
            if !self.cidr_free(cidr).await?.free {
                continue;
            }
            let answer = self.ask_all(remotes, |s| Box::pin(self.peers.cidr_free(s, cidr))).await?;
            if let Answer::Free(_) = answer {
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
