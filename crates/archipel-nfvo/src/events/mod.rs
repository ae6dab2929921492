//! The event bus: what happens to network services (lifecycle operations beginning and ending,
//! alarms raised and cleared, health changes), for people (`GET /archipel/v1/events`, server-sent
//! events) and for SOL005 subscribers (notifications POSTed to their callbacks, [`notify`]).
//!
//! Publishing never waits: the live stream is a broadcast channel (a reader too slow loses the
//! oldest events and is told so), and each subscription has a bounded queue of its own.

pub mod notify;

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{Map, Value};
use tokio::sync::{broadcast, watch};

use crate::ids;
use crate::model::{Nsr, OpOcc, Operation, OperationState};

/// How many events the bus keeps for readers that connect (or reconnect) later.
pub const KEPT: usize = 256;

/// The notification type of lifecycle events (SOL005).
pub const LIFECYCLE: &str = "NsLcmOperationOccurrenceNotification";
/// The notification type of a raised alarm (SOL005).
pub const ALARM: &str = "AlarmNotification";
/// The notification type of a cleared alarm (SOL005).
pub const ALARM_CLEARED: &str = "AlarmClearedNotification";
/// The type of a change of a network service's health.
pub const HEALTH: &str = "NsHealthChangeNotification";
/// The notification types of NSD management (SOL005).
pub const NSD_ONBOARDED: &str = "NsdOnBoardingNotification";
pub const NSD_ONBOARDING_FAILED: &str = "NsdOnboardingFailureNotification";
pub const NSD_CHANGED: &str = "NsdChangeNotification";
pub const NSD_DELETED: &str = "NsdDeletionNotification";
/// The notification types of VNF package management (SOL005).
pub const PACKAGE_ONBOARDED: &str = "VnfPackageOnboardingNotification";
pub const PACKAGE_CHANGED: &str = "VnfPackageChangeNotification";

/// What an event is about: the `event:` field of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Lifecycle,
    Alarm,
    Health,
    /// About an NSD: its data holds `nsdInfoId` instead of `nsInstanceId`.
    Nsd,
    /// About a VNF package: its data holds `vnfPkgId` instead of `nsInstanceId`.
    Package,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Lifecycle => "lifecycle",
            EventKind::Alarm => "alarm",
            EventKind::Health => "health",
            EventKind::Nsd => "nsd",
            EventKind::Package => "package",
        }
    }
}

/// One event: `data` holds at least `nsInstanceId`, `type` and `time` (RFC 3339).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its rank on the bus, from 1: the stream's `id:`.
    pub seq: u64,
    /// The id its notifications carry, the same for every subscriber (SOL005).
    pub id: String,
    pub kind: EventKind,
    pub data: Map<String, Value>,
    /// The NS it is about as subscription filters may name it; None for an NSD's or a
    /// package's event, or an operation whose record could not be read.
    pub ns: Option<NsFacts>,
}

/// What an NS instance's subscription filter may name (SOL005 `NsInstanceSubscriptionFilter`)
/// besides its id; kept out of the notification's body, which SOL005 shapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NsFacts {
    pub name: String,
    pub nsd_id: String,
    pub vnfd_ids: Vec<String>,
}

impl NsFacts {
    /// Its VNF descriptors are `nsd`'s when given (an NS not yet instantiated has no VNF
    /// record), else those of its VNF records.
    pub fn of(nsr: &Nsr, nsd: Option<&crate::catalogue::Nsd>) -> Self {
        let vnfd_ids = match nsd {
            Some(nsd) => nsd.vnfd().iter().map(|v| v.name.clone()).collect(),
            None => nsr.vnfrs.iter().map(|v| v.name.clone()).collect(),
        };
        Self { name: nsr.name.clone(), nsd_id: nsr.nsd_id.clone(), vnfd_ids }
    }
}

impl Event {
    pub fn ns_instance_id(&self) -> &str {
        self.data.get("nsInstanceId").and_then(Value::as_str).unwrap_or_default()
    }

    pub fn event_type(&self) -> &str {
        self.data.get("type").and_then(Value::as_str).unwrap_or_default()
    }

    /// A field of `data` as text.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.data.get(field).and_then(Value::as_str)
    }
}

/// The bus. Publishing takes a short lock only, so that the kept events and the live stream
/// hold the events in one order.
#[derive(Debug)]
pub struct Bus {
    live: broadcast::Sender<Event>,
    kept: Mutex<Kept>,
    notifier: notify::Notifier,
    /// Set when the daemon stops, so that the streams end and the server can drain.
    closed: watch::Sender<bool>,
}

/// What a reader of the bus gets: the kept events, the live ones, and when to stop.
#[derive(Debug)]
pub struct Follow {
    pub past: Vec<Event>,
    pub live: broadcast::Receiver<Event>,
    pub closed: watch::Receiver<bool>,
}

#[derive(Debug, Default)]
struct Kept {
    last: u64,
    events: VecDeque<Event>,
}

impl Bus {
    pub fn new(notifier: notify::Notifier) -> Self {
        Self {
            live: broadcast::Sender::new(KEPT),
            kept: Mutex::default(),
            notifier,
            closed: watch::Sender::new(false),
        }
    }

    pub fn notifier(&self) -> &notify::Notifier {
        &self.notifier
    }

    /// Publishes an event of `kind` about `ns_instance_id` (described by `ns`); `fields` are
    /// added to its data.
    pub fn publish(
        &self,
        kind: EventKind,
        ns_instance_id: &str,
        ns: Option<NsFacts>,
        event_type: &str,
        fields: Map<String, Value>,
    ) {
        let mut data = Map::new();
        data.insert("nsInstanceId".to_owned(), ns_instance_id.into());
        self.emit(kind, event_type, data, fields, ns);
    }

    /// Something happened to NSD `nsd_info_id`; `fields` are added to the event's data.
    pub fn nsd_changed(&self, event_type: &str, nsd_info_id: &str, fields: Map<String, Value>) {
        let mut data = Map::new();
        data.insert("nsdInfoId".to_owned(), nsd_info_id.into());
        self.emit(EventKind::Nsd, event_type, data, fields, None);
    }

    /// Something happened to VNF package `vnf_pkg_id`; `fields` are added to the event's data.
    pub fn package_changed(&self, event_type: &str, vnf_pkg_id: &str, fields: Map<String, Value>) {
        let mut data = Map::new();
        data.insert("vnfPkgId".to_owned(), vnf_pkg_id.into());
        self.emit(EventKind::Package, event_type, data, fields, None);
    }

    /// Keeps, streams and offers to the subscribers one event: `data`, then its type and time,
    /// then `fields`.
    fn emit(
        &self,
        kind: EventKind,
        event_type: &str,
        mut data: Map<String, Value>,
        fields: Map<String, Value>,
        ns: Option<NsFacts>,
    ) {
        data.insert("type".to_owned(), event_type.into());
        data.insert("time".to_owned(), ids::rfc3339(ids::now()).into());
        data.extend(fields);
        let event = {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            kept.last += 1;
            let event = Event { seq: kept.last, id: ids::new_id(), kind, data, ns };
            if kept.events.len() == KEPT {
                kept.events.pop_front();
            }
            kept.events.push_back(event.clone());
            // No reader is not an error: the event is kept.
            let _ = self.live.send(event.clone());
            event
        };
        self.notifier.offer(&event);
    }

    /// The kept events after `after` (all with None), and the live events that follow them,
    /// with neither a gap nor a repeat between the two.
    pub fn follow(&self, after: Option<u64>) -> Follow {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let past = kept.events.iter().filter(|e| after.is_none_or(|a| e.seq > a)).cloned();
        Follow {
            past: past.collect(),
            live: self.live.subscribe(),
            closed: self.closed.subscribe(),
        }
    }

    /// Ends every stream of live events (the daemon stops).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// An operation occurrence began (PROCESSING: `START`) or ended (`RESULT`) on the NS
    /// `ns` describes.
    pub fn op_changed(&self, op: &OpOcc, ns: Option<NsFacts>) {
        let status = match op.state {
            OperationState::Processing => "START",
            _ => "RESULT",
        };
        let mut fields = Map::new();
        fields.insert("nsLcmOpOccId".to_owned(), op.id.clone().into());
        fields.insert("operation".to_owned(), op.operation.kind().as_str().into());
        fields.insert("notificationStatus".to_owned(), status.into());
        fields.insert("operationState".to_owned(), op.state.as_str().into());
        let automatic = matches!(op.operation, Operation::Heal { auto: true, .. });
        fields.insert("isAutomaticInvocation".to_owned(), automatic.into());
        if let Some(failure) = &op.error {
            fields.insert(
                "error".to_owned(),
                format!("step {}: {}", failure.step, failure.reason).into(),
            );
        }
        self.publish(EventKind::Lifecycle, &op.nsr_id, ns, LIFECYCLE, fields);
    }

    /// An alarm about `nsr` was raised (`cleared` false) or cleared; `alarm` is its SOL005
    /// `Alarm` object.
    pub fn alarm_changed(&self, nsr: &Nsr, alarm: Value, cleared: bool) {
        let event_type = if cleared { ALARM_CLEARED } else { ALARM };
        let mut fields = Map::new();
        fields.insert("alarm".to_owned(), alarm);
        self.publish(EventKind::Alarm, &nsr.id, Some(NsFacts::of(nsr, None)), event_type, fields);
    }

    /// The health of `nsr` changed; `health` is its `health` object as the NS instance shows
    /// it.
    pub fn health_changed(&self, nsr: &Nsr, health: Value) {
        let mut fields = Map::new();
        fields.insert("health".to_owned(), health);
        self.publish(EventKind::Health, &nsr.id, Some(NsFacts::of(nsr, None)), HEALTH, fields);
    }
}
