//! Network-service records, after Open Baton's NSR / VNFR / VNFC instance.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::{Alarm, Health, Step};

/// Open Baton's record statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Created, never instantiated.
    Null,
    /// Being instantiated.
    Initialized,
    Active,
    Scaling,
    /// An operation failed; [`Nsr::error`] says where and why.
    Error,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Null => "NULL",
            Status::Initialized => "INITIALIZED",
            Status::Active => "ACTIVE",
            Status::Scaling => "SCALING",
            Status::Error => "ERROR",
            Status::Terminated => "TERMINATED",
        }
    }
}

/// Where an operation failed and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub step: Step,
    pub reason: String,
}

/// A network-service record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nsr {
    pub id: String,
    pub name: String,
    pub description: String,
    pub nsd_id: String,
    pub nsd_name: String,
    pub status: Status,
    pub error: Option<Failure>,
    pub vnfrs: Vec<Vnfr>,
    pub networks: Vec<NetworkRecord>,
    /// The L2 extensions of its virtual links that span several sites.
    #[serde(default)]
    pub extensions: Vec<ExtensionRecord>,
    /// Unix seconds.
    pub created: i64,
    /// The worst health of its VNF records.
    #[serde(default)]
    pub health: Health,
    /// The alarms the watch raised on its VNFC instances, cleared ones included.
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// Whether the watch heals a failed VNFC instance without an operator.
    #[serde(default)]
    pub auto_heal: bool,
    /// Heals begun without an operator since the last one an operator asked for.
    #[serde(default)]
    pub auto_heals: u32,
}

impl Nsr {
    pub fn vnfr(&self, name: &str) -> Option<&Vnfr> {
        self.vnfrs.iter().find(|vnfr| vnfr.name == name)
    }

    pub fn vnfr_mut(&mut self, name: &str) -> Option<&mut Vnfr> {
        self.vnfrs.iter_mut().find(|vnfr| vnfr.name == name)
    }

    pub fn network(&self, site: &str, virtual_link: &str) -> Option<&NetworkRecord> {
        self.networks.iter().find(|n| n.site == site && n.virtual_link == virtual_link)
    }

    pub fn extension(&self, virtual_link: &str) -> Option<&ExtensionRecord> {
        self.extensions.iter().find(|e| e.virtual_link == virtual_link)
    }

    /// The sites holding a VNFC instance attached to `virtual_link`.
    pub fn sites_on_link(&self, virtual_link: &str) -> Vec<String> {
        let mut sites: Vec<String> = self
            .vnfcs()
            .filter(|(_, vnfc)| vnfc.addresses.contains_key(virtual_link))
            .map(|(_, vnfc)| vnfc.site.clone())
            .collect();
        sites.sort();
        sites.dedup();
        sites
    }

    /// Every VNFC instance, with its VNFR.
    pub fn vnfcs(&self) -> impl Iterator<Item = (&Vnfr, &VnfcInstance)> {
        self.vnfrs.iter().flat_map(|vnfr| vnfr.vnfcs.iter().map(move |vnfc| (vnfr, vnfc)))
    }

    /// The sites holding its VNFC instances, each once, in order.
    pub fn vnfc_sites(&self) -> Vec<String> {
        let mut sites: Vec<String> = self.vnfcs().map(|(_, v)| v.site.clone()).collect();
        sites.sort_unstable();
        sites.dedup();
        sites
    }
}

/// A VNF record: one VNFD of the NSD. Its instances start on the site it is placed on; a scale
/// out may put new ones on another site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vnfr {
    /// The VNFD's name.
    pub name: String,
    /// The VNFD's `type`.
    pub vnf_type: String,
    /// The site it was placed on at instantiation.
    pub site: String,
    pub status: Status,
    /// The most VNFC instances the first VDU may have.
    pub scale_in_out: u32,
    /// What a VNFC instance of this VNF receives as metadata now: the configuration parameters
    /// and the resolved dependencies. Kept current when a source scales.
    pub metadata: BTreeMap<String, String>,
    /// Configuration an operator set by an NS update, over the descriptor's parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configuration: BTreeMap<String, String>,
    /// The index the next VNFC instance gets; indices are never reused.
    pub next_index: u32,
    pub vnfcs: Vec<VnfcInstance>,
    /// The worst health of its VNFC instances.
    #[serde(default)]
    pub health: Health,
    /// The VNFD's `vendor` and `version`, and its VNF package's id (or path), if any.
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub package: Option<String>,
}

/// One VNFC instance: a Pop container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VnfcInstance {
    pub index: u32,
    /// The index of its VDU in the VNFD.
    pub vdu: usize,
    /// The Pop container's name, `<vnfd name>-<short nsr id>-<index>`: also its hostname.
    pub name: String,
    /// The site it runs on.
    #[serde(default)]
    pub site: String,
    pub pop_id: String,
    /// Virtual link name -> the instance's IPv4 address on it.
    pub addresses: BTreeMap<String, String>,
    /// The metadata it was given before it started.
    pub metadata: BTreeMap<String, String>,
    /// The Pop container's status as last seen (`CREATED`, `RUNNING`, …).
    pub pop_status: String,
    #[serde(default)]
    pub health: Health,
    /// Set while a re-creation deletes the container and makes it again: one cut short (a
    /// failure, or the NFVO stopped, its site perhaps still deleting the old container) is
    /// made again by the next scale or the rollback.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recreating: bool,
}

/// One Pop network: a virtual link on one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRecord {
    pub virtual_link: String,
    pub site: String,
    /// `<vld name>-<short nsr id>`, the same at every site of the virtual link.
    pub name: String,
    /// Empty for a network that the site's agent made for an L2 extension.
    pub pop_id: String,
    pub subnet: Ipv4Net,
}

/// A virtual link stretched over several sites: one subnet, one L2 extension (DIMINET) made by
/// the agent of the site holding most of the link's instances, each site with its own pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRecord {
    pub virtual_link: String,
    /// The Pop network's name, the same at every site.
    pub network: String,
    /// The site whose agent masters the extension; its Pop network was made by the NFVO.
    pub master: String,
    /// The inter-site service's global id, as the master's agent named it.
    pub global_id: String,
    /// Every site taking part, the master included.
    pub sites: Vec<String>,
}
