//! `/nsd/v1/subscriptions`: SOL005 subscriptions to NSD management notifications (an NSD
//! onboarded, its onboarding failed, its operational state changed, it was deleted).

super::subscriptions::subscription_handlers! {
    api: crate::model::SubscriptionApi::Nsd,
    tag: "nsd",
    collection: "/nsd/v1/subscriptions",
    item: "/nsd/v1/subscriptions/{id}",
    request: NsdmSubscriptionRequest,
    resource: NsdmSubscription,
    kind: crate::api::collection::NSD_SUBSCRIPTIONS,
    operations: ("createNsdSubscription", "listNsdSubscriptions", "getNsdSubscription", "deleteNsdSubscription"),
    subscribes: "Subscribes a callback to NSD notifications.",
}
