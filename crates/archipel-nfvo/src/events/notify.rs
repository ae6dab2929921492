//! Notifications to SOL005 subscribers, PM jobs and thresholds: each has a worker that POSTs its
//! notifications (for a subscription, the events its filter takes) to its callback as JSON, one
//! at a time and in order, retrying a failed delivery with backoff. The worker's queue is
//! bounded, so that a dead callback delays only its own notifications: when the queue is full,
//! the newest notification for it is dropped (and logged).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use super::{Event, EventKind};
use crate::api::dto::AlarmInfo;
use crate::model::{Alarm, Filter, Subscription, SubscriptionApi};

/// How many notifications wait for one subscriber at most.
pub const QUEUE: usize = 256;
/// How many times a notification is tried before it is given up.
pub const ATTEMPTS: u32 = 8;
/// The first wait before a retry; each next one doubles, up to [`BACKOFF_MAX`].
pub const BACKOFF: Duration = Duration::from_millis(100);
pub const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// How long one delivery may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The workers of the subscriptions.
#[derive(Debug)]
pub struct Notifier {
    workers: Mutex<BTreeMap<String, Worker>>,
    http: reqwest::Client,
}

#[derive(Debug)]
struct Worker {
    id: Arc<str>,
    callback_uri: Arc<str>,
    /// The subscription whose filter picks the events, if it is one; a PM job or a threshold
    /// is sent its notifications by [`Notifier::send`].
    subscription: Option<Arc<Subscription>>,
    /// Started at the first notification, so that no task runs for a subscriber with nothing
    /// to receive (and none is needed before a runtime exists).
    queue: Option<mpsc::Sender<Value>>,
    /// Set when the subscription is deleted: what is queued is not delivered.
    gone: Arc<AtomicBool>,
}

impl Notifier {
    pub fn new(subscriptions: Vec<Subscription>) -> Result<Self, reqwest::Error> {
        // Redirects are not followed: the callback is the URL the subscriber registered.
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let notifier = Self { workers: Mutex::default(), http };
        for subscription in subscriptions {
            notifier.add(subscription);
        }
        Ok(notifier)
    }

    fn workers(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Worker>> {
        self.workers.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn add(&self, subscription: Subscription) {
        let (id, callback) = (subscription.id.clone(), subscription.callback_uri.clone());
        self.insert(id, callback, Some(Arc::new(subscription)));
    }

    /// A callback that is sent what [`Notifier::send`] gives for `id` (a PM job's, a
    /// threshold's); one added again replaces the first.
    pub fn add_target(&self, id: &str, callback_uri: &str) {
        self.remove(id);
        self.insert(id.to_owned(), callback_uri.to_owned(), None);
    }

    fn insert(&self, id: String, callback_uri: String, subscription: Option<Arc<Subscription>>) {
        let worker = Worker {
            id: id.as_str().into(),
            callback_uri: callback_uri.into(),
            subscription,
            queue: None,
            gone: Arc::new(AtomicBool::new(false)),
        };
        self.workers().insert(id, worker);
    }

    pub fn remove(&self, id: &str) {
        if let Some(worker) = self.workers().remove(id) {
            worker.gone.store(true, Ordering::Relaxed);
        }
    }

    /// SOL005's test of a callback before its subscription is made: a GET that must answer
    /// 204. The reason it failed, without the URL (a subscriber may carry a secret in its
    /// query).
    pub async fn test(&self, callback_uri: &str) -> Result<(), String> {
        match self.http.get(callback_uri).send().await {
            Ok(answer) if answer.status() == reqwest::StatusCode::NO_CONTENT => Ok(()),
            Ok(answer) => Err(format!("it answered {}", answer.status())),
            Err(err) => Err(archipel_daemon::chain(&err.without_url())),
        }
    }

    /// Queues `event` for every subscriber whose filter takes it; never waits.
    pub fn offer(&self, event: &Event) {
        let mut workers = self.workers();
        for worker in workers.values_mut() {
            let Some(subscription) = worker.subscription.clone() else { continue };
            if takes(&subscription, event) {
                worker.push(&self.http, notification(&subscription, event));
            }
        }
    }

    /// Queues `body` for the callback added for `id`, if there is one; never waits.
    pub fn send(&self, id: &str, body: Value) {
        if let Some(worker) = self.workers().get_mut(id) {
            worker.push(&self.http, body);
        }
    }
}

impl Worker {
    fn push(&mut self, http: &reqwest::Client, body: Value) {
        if self.queue.is_none() {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
            let (tx, rx) = mpsc::channel(QUEUE);
            let delivery = Delivery {
                id: self.id.clone(),
                callback_uri: self.callback_uri.clone(),
                gone: self.gone.clone(),
                http: http.clone(),
            };
            runtime.spawn(delivery.run(rx));
            self.queue = Some(tx);
        }
        let Some(queue) = &self.queue else { return };
        if queue.try_send(body).is_err() {
            tracing::warn!(to = %self.id, "notification dropped: the callback's queue is full");
        }
    }
}

/// Whether `subscription` takes `event`: one of its API's, and one its filter takes.
pub fn takes(subscription: &Subscription, event: &Event) -> bool {
    let filter: &Filter = &subscription.filter;
    let within = |list: &[String], value: Option<&str>| {
        list.is_empty() || value.is_some_and(|v| list.iter().any(|item| item == v))
    };
    let of_api = match subscription.api {
        SubscriptionApi::Nslcm => !matches!(event.kind, EventKind::Nsd | EventKind::Package),
        SubscriptionApi::Nsd => event.kind == EventKind::Nsd,
        SubscriptionApi::Nsfm => event.kind == EventKind::Alarm,
        SubscriptionApi::Vnfpkgm => event.kind == EventKind::Package,
    };
    of_api
        && within(&filter.notification_types, Some(event.event_type()))
        && match event.kind {
            EventKind::Nsd => within(&filter.nsd_info_ids, event.text("nsdInfoId")),
            EventKind::Package => within(&filter.vnf_pkg_ids, event.text("vnfPkgId")),
            kind => {
                within(&filter.ns_instance_ids, Some(event.ns_instance_id()))
                    && of_ns(filter, event.ns.as_ref())
                    && (kind != EventKind::Lifecycle
                        || (within(&filter.operation_types, event.text("operation"))
                            && within(&filter.operation_states, event.text("operationState"))))
            }
        }
}

/// Whether the NS `ns` describes is one the filter's names, descriptors and VNF descriptors
/// take; an NS not described is taken only by a filter that names none.
fn of_ns(filter: &Filter, ns: Option<&super::NsFacts>) -> bool {
    let within = |list: &[String], value: Option<&String>| {
        list.is_empty() || value.is_some_and(|v| list.contains(v))
    };
    let any_vnfd = filter.vnfd_ids.is_empty()
        || ns.is_some_and(|ns| ns.vnfd_ids.iter().any(|v| filter.vnfd_ids.contains(v)));
    within(&filter.ns_instance_names, ns.map(|ns| &ns.name))
        && within(&filter.nsd_ids, ns.map(|ns| &ns.nsd_id))
        && any_vnfd
        && filter.pnfd_ids.is_empty()
}

/// The JSON body of `event` for `subscription` (SOL005's notification shapes, a subset).
pub fn notification(subscription: &Subscription, event: &Event) -> Value {
    let mut body = Map::new();
    body.insert("id".to_owned(), event.id.clone().into());
    body.insert("notificationType".to_owned(), event.event_type().into());
    body.insert("subscriptionId".to_owned(), subscription.id.clone().into());
    body.insert("timeStamp".to_owned(), event.data.get("time").cloned().unwrap_or_default());
    for (key, value) in &event.data {
        if key != "type" && key != "time" {
            body.insert(key.clone(), value.clone());
        }
    }
    let mut links = Map::new();
    if event.kind == EventKind::Alarm {
        alarm_fields(event, &mut body, &mut links);
    }
    if let Some(nsd) = event.text("nsdInfoId") {
        links.insert(
            "nsdInfo".to_owned(),
            json!({ "href": format!("/nsd/v1/ns_descriptors/{nsd}") }),
        );
    } else if let Some(package) = event.text("vnfPkgId") {
        links.insert(
            "vnfPackage".to_owned(),
            json!({ "href": format!("/vnfpkgm/v1/vnf_packages/{package}") }),
        );
    } else {
        links.insert(
            "nsInstance".to_owned(),
            json!({ "href": format!("/nslcm/v1/ns_instances/{}", event.ns_instance_id()) }),
        );
    }
    links.insert(
        "subscription".to_owned(),
        json!({ "href": subscription.api.href(&subscription.id) }),
    );
    if let Some(op) = event.text("nsLcmOpOccId") {
        links.insert(
            "nsLcmOpOcc".to_owned(),
            json!({ "href": format!("/nslcm/v1/ns_lcm_op_occs/{op}") }),
        );
    }
    body.insert("_links".to_owned(), Value::Object(links));
    Value::Object(body)
}

/// An alarm notification's alarm as SOL005 shapes it (`Alarm`), and, once cleared, its id,
/// time and link (`AlarmClearedNotification`).
fn alarm_fields(event: &Event, body: &mut Map<String, Value>, links: &mut Map<String, Value>) {
    let Some(alarm) = event.data.get("alarm").cloned() else { return };
    let Ok(alarm) = serde_json::from_value::<Alarm>(alarm) else { return };
    let alarm = AlarmInfo::new(event.ns_instance_id(), alarm);
    links.insert("alarm".to_owned(), json!({ "href": alarm.links.self_link.href }));
    if let Some(cleared) = &alarm.alarm_cleared_time {
        body.insert("alarmId".to_owned(), alarm.id.clone().into());
        body.insert("alarmClearedTime".to_owned(), cleared.clone().into());
    }
    body.insert("alarm".to_owned(), serde_json::to_value(alarm).unwrap_or_default());
}

struct Delivery {
    /// The subscription's, PM job's or threshold's id.
    id: Arc<str>,
    callback_uri: Arc<str>,
    gone: Arc<AtomicBool>,
    http: reqwest::Client,
}

impl Delivery {
    async fn run(self, mut queue: mpsc::Receiver<Value>) {
        while let Some(body) = queue.recv().await {
            self.deliver(&body).await;
        }
    }

    async fn deliver(&self, body: &Value) {
        let notification = body.get("id").and_then(Value::as_str).unwrap_or_default();
        let mut wait = BACKOFF;
        for attempt in 1..=ATTEMPTS {
            if self.gone.load(Ordering::Relaxed) {
                return;
            }
            let sent = self.http.post(&*self.callback_uri).json(body).send().await;
            let failure = match sent {
                Ok(answer) if answer.status().is_success() => return,
                Ok(answer) => format!("the callback answered {}", answer.status()),
                // Without the URL: a subscriber may carry a secret in its query.
                Err(err) => archipel_daemon::chain(&err.without_url()),
            };
            tracing::debug!(to = %self.id, notification, attempt, %failure, "notification not delivered");
            if attempt == ATTEMPTS {
                tracing::warn!(to = %self.id, notification, %failure, "notification given up");
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(BACKOFF_MAX);
        }
    }
}
