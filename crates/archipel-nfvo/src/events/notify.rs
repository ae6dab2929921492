//! Notifications to SOL005 subscribers: each subscription has a worker that POSTs the events its
//! filter takes to its callback as JSON, one at a time and in order, retrying a failed delivery
//! with backoff. The worker's queue is bounded, so that a dead callback delays only its own
//! subscription: when the queue is full, the newest notification for it is dropped (and logged).

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
    subscription: Arc<Subscription>,
    /// Started at the first notification, so that no task runs for a subscriber with nothing
    /// to receive (and none is needed before a runtime exists).
    queue: Option<mpsc::Sender<Event>>,
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
        let worker = Worker {
            subscription: Arc::new(subscription),
            queue: None,
            gone: Arc::new(AtomicBool::new(false)),
        };
        self.workers().insert(worker.subscription.id.clone(), worker);
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
            if !takes(&worker.subscription, event) {
                continue;
            }
            let Some(queue) = worker.queue(&self.http) else { continue };
            if queue.try_send(event.clone()).is_err() {
                tracing::warn!(subscription = %worker.subscription.id, seq = event.seq, "notification dropped: the subscriber's queue is full");
            }
        }
    }
}

impl Worker {
    fn queue(&mut self, http: &reqwest::Client) -> Option<&mpsc::Sender<Event>> {
        if self.queue.is_none() {
            let runtime = tokio::runtime::Handle::try_current().ok()?;
            let (tx, rx) = mpsc::channel(QUEUE);
            let delivery = Delivery {
                subscription: self.subscription.clone(),
                gone: self.gone.clone(),
                http: http.clone(),
            };
            runtime.spawn(delivery.run(rx));
            self.queue = Some(tx);
        }
        self.queue.as_ref()
    }
}

/// Whether `subscription` takes `event`: one of its API's, and one its filter takes.
pub fn takes(subscription: &Subscription, event: &Event) -> bool {
    let filter: &Filter = &subscription.filter;
    let within = |list: &[String], value: Option<&str>| {
        list.is_empty() || value.is_some_and(|v| list.iter().any(|item| item == v))
    };
    let of_api = match subscription.api {
        SubscriptionApi::Nslcm => event.kind != EventKind::Nsd,
        SubscriptionApi::Nsd => event.kind == EventKind::Nsd,
        SubscriptionApi::Nsfm => event.kind == EventKind::Alarm,
    };
    of_api
        && within(&filter.notification_types, Some(event.event_type()))
        && match event.kind {
            EventKind::Nsd => within(&filter.nsd_info_ids, event.text("nsdInfoId")),
            kind => {
                within(&filter.ns_instance_ids, Some(event.ns_instance_id()))
                    && (kind != EventKind::Lifecycle
                        || (within(&filter.operation_types, event.text("operation"))
                            && within(&filter.operation_states, event.text("operationState"))))
            }
        }
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
    subscription: Arc<Subscription>,
    gone: Arc<AtomicBool>,
    http: reqwest::Client,
}

impl Delivery {
    async fn run(self, mut queue: mpsc::Receiver<Event>) {
        while let Some(event) = queue.recv().await {
            self.deliver(&event).await;
        }
    }

    async fn deliver(&self, event: &Event) {
        let body = notification(&self.subscription, event);
        let mut wait = BACKOFF;
        for attempt in 1..=ATTEMPTS {
            if self.gone.load(Ordering::Relaxed) {
                return;
            }
            let sent = self.http.post(&self.subscription.callback_uri).json(&body).send().await;
            let failure = match sent {
                Ok(answer) if answer.status().is_success() => return,
                Ok(answer) => format!("the callback answered {}", answer.status()),
                // Without the URL: a subscriber may carry a secret in its query.
                Err(err) => archipel_daemon::chain(&err.without_url()),
            };
            tracing::debug!(subscription = %self.subscription.id, seq = event.seq, attempt, %failure, "notification not delivered");
            if attempt == ATTEMPTS {
                tracing::warn!(subscription = %self.subscription.id, seq = event.seq, %failure, "notification given up");
                return;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(BACKOFF_MAX);
        }
    }
}
