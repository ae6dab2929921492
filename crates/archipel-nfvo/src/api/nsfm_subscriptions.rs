//! `/nsfm/v1/subscriptions`: SOL005 subscriptions to fault management notifications (an alarm
//! raised, an alarm cleared).

super::subscriptions::subscription_handlers! {
    api: crate::model::SubscriptionApi::Nsfm,
    tag: "nsfm",
    collection: "/nsfm/v1/subscriptions",
    item: "/nsfm/v1/subscriptions/{id}",
    request: FmSubscriptionRequest,
    resource: FmSubscription,
    kind: crate::api::collection::FM_SUBSCRIPTIONS,
    operations: ("createFmSubscription", "listFmSubscriptions", "getFmSubscription", "deleteFmSubscription"),
    subscribes: "Subscribes a callback to alarm notifications.",
}
