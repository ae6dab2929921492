//! A lifecycle event of a VNFD or a VDU: the scripts a VNF manager runs at one point of the
//! flow. Archipel checks the event's name as Open Baton does; it does not run the scripts yet.

use serde::de::IgnoredAny;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton LifecycleEvent object")]
pub(crate) struct RawLifecycleEvent {
    pub event: Option<String>,

    #[serde(rename = "lifecycle_events")]
    _lifecycle_events: Option<Vec<String>>,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
}
