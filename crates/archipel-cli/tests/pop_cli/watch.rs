//! `pop watch` prints status changes line by line and ends cleanly on Ctrl-C.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::{Popd, IMAGE};

#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_lines_until_interrupted() {
    let popd = Popd::start().await;
    popd.ok(&["create", &format!("image={IMAGE}"), "name=web"]).await;

    let mut watch = popd
        .command()
        .args(["pop", "watch", "web"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run archipel pop watch");
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().expect("a first line");
    assert!(first.contains(" web CREATED"), "{first}");

    popd.ok(&["start", "web"]).await;
    let mut seen = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let running = line.contains(" web RUNNING");
        seen.push(line);
        if running {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.contains(" web RUNNING")), "{seen:?}");

    let pid = watch.id().expect("watch runs").to_string();
    let kill = tokio::process::Command::new("kill").args(["-INT", &pid]).status().await.unwrap();
    assert!(kill.success());
    assert!(watch.wait().await.unwrap().success(), "Ctrl-C is a clean exit");
}
