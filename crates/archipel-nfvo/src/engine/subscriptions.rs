//! SOL005 subscriptions, of NS lifecycle, NSD and NS fault management: checked (their callback
//! tested with a GET, as SOL005 asks), stored, and handed to the notifier.

use super::Nfvo;
use crate::error::NfvoError;
use crate::events::{
    ALARM, ALARM_CLEARED, HEALTH, LIFECYCLE, NSD_CHANGED, NSD_DELETED, NSD_ONBOARDED,
    NSD_ONBOARDING_FAILED, PACKAGE_CHANGED, PACKAGE_ONBOARDED,
};
use crate::ids;
use crate::model::{Filter, LcmOperation, OperationState, Subscription, SubscriptionApi};

/// The longest callback URL taken.
pub const URI_LIMIT: usize = 2048;
/// How many subscriptions the NFVO holds at most.
pub const SUBSCRIPTIONS_LIMIT: usize = 100;
/// How many values one list of a filter may hold.
const FILTER_LIMIT: usize = 64;

/// The notification types each API sends.
fn notification_types(api: SubscriptionApi) -> &'static [&'static str] {
    match api {
        SubscriptionApi::Nslcm => &[LIFECYCLE, ALARM, ALARM_CLEARED, HEALTH],
        SubscriptionApi::Nsd => &[NSD_ONBOARDED, NSD_ONBOARDING_FAILED, NSD_CHANGED, NSD_DELETED],
        SubscriptionApi::Nsfm => &[ALARM, ALARM_CLEARED],
        SubscriptionApi::Vnfpkgm => &[PACKAGE_ONBOARDED, PACKAGE_CHANGED],
    }
}

/// What a subscriber asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub api: SubscriptionApi,
    pub callback_uri: String,
    pub filter: Filter,
}

impl Nfvo {
    /// Checks and stores a subscription once its callback answered the test (a GET answered
    /// 204); its notifications begin with the next event.
    pub async fn subscribe(&self, request: NewSubscription) -> Result<Subscription, NfvoError> {
        check_uri(&request.callback_uri)?;
        check_filter(request.api, &request.filter)?;
        self.test_callback(&request.callback_uri).await?;
        let _gate = self.gate();
        if self.store().subscriptions()?.len() >= SUBSCRIPTIONS_LIMIT {
            return Err(invalid(format!(
                "the NFVO holds {SUBSCRIPTIONS_LIMIT} subscriptions already: delete one first"
            )));
        }
        let subscription = Subscription {
            id: ids::new_id(),
            api: request.api,
            callback_uri: request.callback_uri,
            filter: request.filter,
            created: ids::now(),
        };
        self.store().insert_subscription(&subscription)?;
        self.events().notifier().add(subscription.clone());
        tracing::info!(id = %subscription.id, "subscription created");
        Ok(subscription)
    }

    /// SOL005's test of a callback: a GET that must answer 204.
    pub(super) async fn test_callback(&self, uri: &str) -> Result<(), NfvoError> {
        let test = self.events().notifier().test(uri).await;
        test.map_err(|reason| NfvoError::CallbackTest { reason })
    }

    /// The subscriptions made through `api`, oldest first.
    pub fn subscriptions(&self, api: SubscriptionApi) -> Result<Vec<Subscription>, NfvoError> {
        Ok(self.store().subscriptions()?.into_iter().filter(|s| s.api == api).collect())
    }

    /// A subscription made through `api`.
    pub fn subscription(&self, api: SubscriptionApi, id: &str) -> Result<Subscription, NfvoError> {
        let found = self.store().subscription(id)?.filter(|s| s.api == api);
        found.ok_or_else(|| not_found(id))
    }

    /// Deletes a subscription made through `api`; what is still queued for it is not
    /// delivered.
    pub fn unsubscribe(&self, api: SubscriptionApi, id: &str) -> Result<(), NfvoError> {
        let _gate = self.gate();
        self.subscription(api, id)?;
        if !self.store().delete_subscription(id)? {
            return Err(not_found(id));
        }
        self.events().notifier().remove(id);
        tracing::info!(%id, "subscription deleted");
        Ok(())
    }
}

pub(super) fn check_uri(uri: &str) -> Result<(), NfvoError> {
    if uri.len() > URI_LIMIT {
        return Err(invalid(format!(
            "callbackUri is {} bytes long: at most {URI_LIMIT} are taken",
            uri.len()
        )));
    }
    let url = reqwest::Url::parse(uri)
        .map_err(|err| invalid(format!("callbackUri is not a URL: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "callbackUri has the scheme {}: only http and https are taken",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("callbackUri names no host".to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "callbackUri carries credentials: they would be stored and shown in clear".to_owned(),
        ));
    }
    Ok(())
}

fn check_filter(api: SubscriptionApi, filter: &Filter) -> Result<(), NfvoError> {
    let lists = [
        ("notificationTypes", &filter.notification_types),
        ("nsInstanceIds", &filter.ns_instance_ids),
        ("nsInstanceNames", &filter.ns_instance_names),
        ("nsdIds", &filter.nsd_ids),
        ("vnfdIds", &filter.vnfd_ids),
        ("pnfdIds", &filter.pnfd_ids),
        ("operationTypes", &filter.operation_types),
        ("operationStates", &filter.operation_states),
        ("nsdInfoId", &filter.nsd_info_ids),
        ("vnfPkgId", &filter.vnf_pkg_ids),
    ];
    for (name, list) in lists {
        if list.len() > FILTER_LIMIT {
            return Err(invalid(format!(
                "filter.{name} holds {} values: at most {FILTER_LIMIT} are taken",
                list.len()
            )));
        }
        // Names are an operator's words; ids and enumerations are short.
        let max = if name == "nsInstanceNames" { 255 } else { 64 };
        if let Some(long) = list.iter().find(|v| v.len() > max) {
            return Err(invalid(format!(
                "filter.{name} holds a value of {} bytes: at most {max} are taken",
                long.len()
            )));
        }
    }
    // SOL005: "one of" each group, so that a filter never asks for two things at once.
    let descriptors = [&filter.nsd_ids, &filter.vnfd_ids, &filter.pnfd_ids];
    if descriptors.iter().filter(|l| !l.is_empty()).count() > 1 {
        return Err(invalid(
            "filter.nsInstanceSubscriptionFilter gives more than one of nsdIds, vnfdIds and pnfdIds: give one".to_owned(),
        ));
    }
    if !filter.ns_instance_ids.is_empty() && !filter.ns_instance_names.is_empty() {
        return Err(invalid(
            "filter.nsInstanceSubscriptionFilter gives both nsInstanceIds and nsInstanceNames: give one".to_owned(),
        ));
    }
    let types = notification_types(api);
    if let Some(unknown) = filter.notification_types.iter().find(|v| !types.contains(&v.as_str())) {
        return Err(invalid(format!(
            "filter.notificationTypes holds {unknown}, which is none of {}",
            types.join(", ")
        )));
    }
    // Read as the records spell them, so that a new operation type or state is taken as soon
    // as it exists.
    let known = [
        ("operationTypes", &filter.operation_types, is::<LcmOperation> as fn(&str) -> bool, "type"),
        ("operationStates", &filter.operation_states, is::<OperationState>, "state"),
    ];
    for (name, list, is_known, what) in known {
        if let Some(unknown) = list.iter().find(|v| !is_known(v)) {
            return Err(invalid(format!(
                "filter.{name} holds {unknown}, which is no lifecycle operation {what}"
            )));
        }
    }
    Ok(())
}

fn is<T: serde::de::DeserializeOwned>(value: &str) -> bool {
    serde_json::from_value::<T>(serde_json::Value::String(value.to_owned())).is_ok()
}

fn invalid(reason: String) -> NfvoError {
    NfvoError::InvalidRequest { reason }
}

fn not_found(id: &str) -> NfvoError {
    NfvoError::NotFound { what: "subscription", id: id.to_owned() }
}
