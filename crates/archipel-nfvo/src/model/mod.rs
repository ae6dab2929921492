//! The orchestrator's records: sites, descriptors as onboarded, network-service records with
//! their VNF records and VNFC instances, lifecycle operation occurrences, and the API's roles.

mod health;
mod nsr;
mod op;
mod pm;
mod role;
mod site;
mod step;
mod subscription;

pub use health::{if_match_holds, Alarm, Health, HealthState};
pub use nsr::{ExtensionRecord, Failure, NetworkRecord, Nsr, Status, VnfcInstance, Vnfr};
pub use op::{LcmOperation, OpOcc, Operation, OperationState};
pub use pm::{
    Metric, PmJob, PmReport, ReportEntry, Sample, Side, Threshold, GROUP as METRIC_GROUP,
};
pub use role::{Role, UnknownRole};
pub use site::{Reachability, Site, SiteReach, SiteView};
pub use step::{Step, UnknownStep};
pub use subscription::{Filter, Subscription, SubscriptionApi};

/// An NSD of the catalogue: onboarded in one step, or made empty and given its document later
/// (SOL005's two steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsdRecord {
    pub id: String,
    /// Unix seconds, when it was made.
    pub onboarded: i64,
    /// SOL005's `nsdOperationalState`: a disabled NSD makes no new network service.
    pub enabled: bool,
    /// The client's `userDefinedData`, a JSON object's text.
    pub user_data: Option<String>,
    /// The document, once it was given.
    pub document: Option<NsdDocument>,
}

/// An NSD's document as it was posted, and what the catalogue read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsdDocument {
    pub name: String,
    pub vendor: String,
    pub version: String,
    /// The bytes as posted.
    pub content: Vec<u8>,
}
