//! What the tunnels of this site carry, read from the kernel's link counters.

use archipel_netlink::LinkStats;

use super::Agent;
use crate::dataplane::DataplaneError;
use crate::error::AgentError;
use crate::model::{Service, ServiceType};

/// One service's tunnel on this site, and its counters since it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traffic {
    pub global_id: String,
    pub kind: ServiceType,
    /// The VXLAN device.
    pub device: String,
    pub stats: LinkStats,
}

impl Agent {
    /// The counters of every tunnel this site holds; a device gone from the kernel is left out.
    pub async fn traffic(&self, services: &[Service]) -> Result<Vec<Traffic>, AgentError> {
        let mut traffic = Vec::new();
        for service in services {
            for c in self.store.connections(&service.global_id)? {
                if c.kind != "vxlan" {
                    continue;
                }
                let ns = Some(c.netns.as_str()).filter(|ns| !ns.is_empty());
                let stats =
                    self.nl.link_stats(ns, &c.device).await.map_err(DataplaneError::from)?;
                if let Some(stats) = stats {
                    traffic.push(Traffic {
                        global_id: service.global_id.clone(),
                        kind: service.kind,
                        device: c.device,
                        stats,
                    });
                }
            }
        }
        Ok(traffic)
    }
}
