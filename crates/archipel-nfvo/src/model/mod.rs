//! The orchestrator's records: sites, descriptors as onboarded, network-service records with
//! their VNF records and VNFC instances, lifecycle operation occurrences, and the API's roles.

mod health;
mod nsr;
mod op;
mod role;
mod site;
mod step;
mod subscription;

pub use health::{Alarm, Health, HealthState};
pub use nsr::{ExtensionRecord, Failure, NetworkRecord, Nsr, Status, VnfcInstance, Vnfr};
pub use op::{LcmOperation, OpOcc, Operation, OperationState};
pub use role::{Role, UnknownRole};
pub use site::{Reachability, Site, SiteReach, SiteView};
pub use step::{Step, UnknownStep};
pub use subscription::{Filter, Subscription};

/// An onboarded NSD: the document as it was posted, and what the catalogue read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsdRecord {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    /// Unix seconds.
    pub onboarded: i64,
    /// The bytes as posted.
    pub content: Vec<u8>,
}
