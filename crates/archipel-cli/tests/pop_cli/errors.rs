//! Errors print as `error: MESSAGE (CODE)` and exit with 1, bad command lines with 2.

use crate::harness::{stderr, Popd, IMAGE};

#[tokio::test(flavor = "multi_thread")]
async fn grpc_errors_name_their_code() {
    let popd = Popd::start().await;
    let missing = popd.pop(&["start", "nope"]).await;
    assert_eq!(missing.status.code(), Some(1));
    let line = stderr(&missing);
    assert!(line.starts_with("error: ") && line.ends_with(" (NOT_FOUND)\n"), "{line}");

    popd.ok(&["spawn", &format!("image={IMAGE}"), "name=web"]).await;
    let late = popd.pop(&["md", "set", "web", "LATE=1"]).await;
    assert!(stderr(&late).ends_with("(FAILED_PRECONDITION)\n"), "{}", stderr(&late));
    let twice = popd.pop(&["create", &format!("image={IMAGE}"), "name=web"]).await;
    assert!(stderr(&twice).ends_with("(ALREADY_EXISTS)\n"), "{}", stderr(&twice));

    let wrong = popd.command().env("POP_AUTH", "admin:wrong").args(["pop", "servers"]).output();
    let wrong = wrong.await.unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).ends_with("(UNAUTHENTICATED)\n"), "{}", stderr(&wrong));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_command_lines_exit_with_2() {
    let popd = Popd::start().await;
    let no_auth = popd.command().env_remove("POP_AUTH").args(["pop", "servers"]).output();
    let no_auth = no_auth.await.unwrap();
    assert_eq!(no_auth.status.code(), Some(2));
    assert!(stderr(&no_auth).contains("set POP_AUTH"), "{}", stderr(&no_auth));

    let unknown = popd.pop(&["create", &format!("image={IMAGE}"), "colour=red"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        stderr(&unknown),
        "error: 'colour=red': unknown key (keys: image, name, flavour, net, ip)\n"
    );
    let no_image = popd.pop(&["spawn", "name=x"]).await;
    assert_eq!(no_image.status.code(), Some(2));
    assert_eq!(popd.pop(&["md", "set", "x", "NOEQUALS"]).await.status.code(), Some(2));
    assert_eq!(popd.pop(&["frobnicate"]).await.status.code(), Some(2));
    // Nothing reached popd.
    assert_eq!(popd.ok(&["servers"]).await, "[]\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_absent_popd_is_named() {
    let out = tokio::process::Command::new(crate::harness::BIN)
        .args(["pop", "--endpoint", "http://127.0.0.1:9", "--auth", "a:b", "servers"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "error: cannot connect to popd at http://127.0.0.1:9; check that popd runs there"
        ),
        "{}",
        stderr(&out)
    );
}
