//! Where the watch's news leaves the engine: an alarm raised or cleared, a record's health
//! changed, logged and published on the event bus (subscriptions, the event stream).

use crate::events::Bus;
use crate::model::{Alarm, Nsr};

/// An alarm of `nsr` was raised (or cleared, `alarm.cleared` set).
pub fn alarm_changed(bus: &Bus, nsr: &Nsr, alarm: &Alarm) {
    let cleared = alarm.cleared.is_some();
    let state = if cleared { "cleared" } else { "raised" };
    tracing::warn!(nsr = %nsr.id, alarm = %alarm.id, vnfc = %alarm.vnfc, reason = %alarm.reason, state, "alarm");
    bus.alarm_changed(nsr, serde_json::to_value(alarm).unwrap_or_default(), cleared);
}

/// The health of `nsr` (or of one of its VNF records or VNFC instances) changed.
pub fn health_changed(bus: &Bus, nsr: &Nsr) {
    tracing::info!(nsr = %nsr.id, health = nsr.health.state.as_str(), reason = nsr.health.reason.as_deref().unwrap_or(""), "health");
    bus.health_changed(nsr, serde_json::to_value(&nsr.health).unwrap_or_default());
}

/// Calls the hooks for what differs between `before` and `after`.
pub(super) fn changed(bus: &Bus, before: &Nsr, after: &Nsr) {
    for alarm in &after.alarms {
        if !before.alarms.contains(alarm) {
            alarm_changed(bus, after, alarm);
        }
    }
    let healths = |nsr: &Nsr| {
        let vnfcs: Vec<_> = nsr.vnfcs().map(|(_, v)| v.health.clone()).collect();
        (nsr.health.clone(), vnfcs)
    };
    if healths(before) != healths(after) {
        health_changed(bus, after);
    }
}
