//! A lifecycle event of a VNFD or a VDU: the scripts a VNF manager runs at one point of the
//! flow. Archipel checks the event's name as Open Baton does, and runs the scripts of a VNFD's
//! events from its VNF package.

use serde::de::IgnoredAny;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton LifecycleEvent object")]
pub(crate) struct RawLifecycleEvent {
    pub event: Option<String>,

    /// The scripts' file names, in the order they run.
    pub lifecycle_events: Option<Vec<String>>,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
}
