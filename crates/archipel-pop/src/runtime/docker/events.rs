//! Exits of this popd's containers, from the engine's event stream.

use std::collections::HashMap;

use bollard::models::EventMessage;
use bollard::system::EventsOptions;
use bollard::Docker;
use futures::future::ready;
use futures::stream::BoxStream;
use futures::StreamExt;
use tracing::warn;

use crate::runtime::{RuntimeEvent, LABEL_POPD, LABEL_POP_ID};

/// Equals `docker events --since NOW --filter type=container --filter event=die --filter
/// label=archipel.popd=I`. The request is only sent when the stream is first polled: `--since`
/// the call (to the second, so an exit of that second may come twice) makes the engine replay
/// what died in between. The stream ends at the first error (the engine restarting, the socket
/// closing): popd polls `list_managed` as well, so no exit is lost.
pub(super) fn exits(docker: &Docker, instance: &str) -> BoxStream<'static, RuntimeEvent> {
    let now = archipel_daemon::ids::now();
    let filters = HashMap::from([
        ("type".to_owned(), vec!["container".to_owned()]),
        ("event".to_owned(), vec!["die".to_owned()]),
        ("label".to_owned(), vec![format!("{LABEL_POPD}={instance}")]),
    ]);
    docker
        .events(Some(EventsOptions { since: Some(now.to_string()), until: None, filters }))
        .take_while(|item| {
            if let Err(error) = item {
                warn!(%error, "the docker event stream failed; exits are now found by polling");
            }
            ready(item.is_ok())
        })
        .filter_map(|item| ready(item.ok().and_then(exited)))
        .boxed()
}

/// A `die` event as an exit; None if it lacks what identifies the Pop container.
fn exited(event: EventMessage) -> Option<RuntimeEvent> {
    let actor = event.actor?;
    let mut attributes = actor.attributes.unwrap_or_default();
    let code = attributes.get("exitCode").and_then(|c| c.parse().ok());
    let (Some(runtime_id), Some(pop_id), Some(code)) =
        (actor.id, attributes.remove(LABEL_POP_ID), code)
    else {
        warn!(?attributes, "a docker die event without a container id, pop id or exit code");
        return None;
    };
    // Docker tells an OOM kill in another event; the poll reads it from the container's state.
    Some(RuntimeEvent::Exited { pop_id, runtime_id, code, oom_killed: false })
}

#[cfg(test)]
mod tests {
    use bollard::models::EventActor;

    use super::*;

    #[test]
    fn maps_a_die_event() {
        let event = EventMessage {
            action: Some("die".to_owned()),
            actor: Some(EventActor {
                id: Some("c0ffee".to_owned()),
                attributes: Some(HashMap::from([
                    ("exitCode".to_owned(), "3".to_owned()),
                    (LABEL_POP_ID.to_owned(), "pop-1".to_owned()),
                    (LABEL_POPD.to_owned(), "site-a".to_owned()),
                ])),
            }),
            ..Default::default()
        };
        assert_eq!(
            exited(event),
            Some(RuntimeEvent::Exited {
                pop_id: "pop-1".to_owned(),
                runtime_id: "c0ffee".to_owned(),
                code: 3,
                oom_killed: false,
            })
        );
        assert_eq!(exited(EventMessage::default()), None);
    }
}
