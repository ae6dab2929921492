use futures::StreamExt;

use super::*;
use crate::model::ContainerState;

#[tokio::test]
async fn current_state_then_changes() {
    let f = Fixture::new().await;
    f.pop.create(plain("old")).await.unwrap();
    let mut all = f.pop.watch(None);
    let mut only_web = f.pop.watch(Some(name("web")));
    let first = all.next().await.unwrap();
    assert_eq!((first.container.name.as_str(), first.deleted), ("old", false));

    f.pop.create(plain("web")).await.unwrap();
    f.pop.start(&name("web")).await.unwrap();
    f.pop.delete(&name("web"), None).await.unwrap();
    let mut states = Vec::new();
    for _ in 0..5 {
        let change = all.next().await.unwrap();
        assert_eq!(change.container.name, "web");
        states.push((change.container.state, change.deleted));
    }
    use ContainerState::*;
    let expected = vec![
        (Created, false),
        (Running, false),
        (Stopping, false),
        (Exited, false),
        (Exited, true),
    ];
    assert_eq!(states, expected);
    let mut filtered = Vec::new();
    for _ in 0..5 {
        filtered.push(only_web.next().await.unwrap().container.state);
    }
    assert_eq!(filtered, vec![Created, Running, Stopping, Exited, Exited]);
    f.pop.close();
    assert!(all.next().await.is_none(), "closing ends the stream");
}
