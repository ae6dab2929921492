//! `/vnfpkgm/v1/subscriptions`: SOL005 subscriptions to VNF package management notifications
//! (a package onboarded, a package deleted).

super::subscriptions::subscription_handlers! {
    api: crate::model::SubscriptionApi::Vnfpkgm,
    tag: "vnfpkgm",
    collection: "/vnfpkgm/v1/subscriptions",
    item: "/vnfpkgm/v1/subscriptions/{id}",
    request: PkgmSubscriptionRequest,
    resource: PkgmSubscription,
    kind: crate::api::collection::PKGM_SUBSCRIPTIONS,
    operations: ("createPkgmSubscription", "listPkgmSubscriptions", "getPkgmSubscription", "deletePkgmSubscription"),
    subscribes: "Subscribes a callback to VNF package notifications.",
}
