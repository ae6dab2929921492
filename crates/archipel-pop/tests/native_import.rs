//! Importing image directories into the native runtime's catalogue, as `archipel pop image
//! import` does through popd. Needs root (the native runtime refuses to start without it) and
//! fails without it; it touches no namespace (the site is the host's own, and nothing starts).
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use archipel_netlink::RtNetlink;
use archipel_pop::error::chain;
use archipel_pop::grpc::status::code_of;
use archipel_pop::runtime::native::{NativeConfig, NativeRuntime};
use archipel_pop::runtime::{Runtime, RuntimeError};
use archipel_pop::PopError;
use archipel_testkit::unique;
use tonic::Code;

/// A runtime on a temporary state directory and an empty catalogue, removed with the guard.
async fn runtime(root: &Path) -> NativeRuntime {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test needs root (the native runtime does): run it as root"
    );
    let config = NativeConfig {
        instance: unique("native-import-"),
        state_dir: root.join("state"),
        images_dir: root.join("images"),
        site_netns: None,
        netlink: Arc::new(RtNetlink::new()),
        log_max_bytes: archipel_pop::runtime::native::DEFAULT_LOG_MAX_BYTES,
        helper: None,
    };
    NativeRuntime::new(config).await.expect("a native runtime")
}

/// An image directory `dir` with this manifest and a script beside it.
fn image_dir(root: &Path, dir: &str, manifest: &str) -> PathBuf {
    let dir = root.join(dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("manifest.toml"), manifest).unwrap();
    fs::write(dir.join("run.sh"), "echo hello\n").unwrap();
    dir
}

/// The gRPC code popd answers the error with.
fn answer(err: RuntimeError) -> (Code, String) {
    let err = PopError::from(err);
    (code_of(&err), chain(&err))
}

#[tokio::test]
#[ignore = "needs root"]
async fn imports_an_image_directory_and_lists_it() {
    let root = tempfile::tempdir().unwrap();
    let runtime = runtime(root.path()).await;
    assert!(runtime.images().await.unwrap().is_empty());
    let manifest = "name = \"team/echo:1\"\nentrypoint = [\"/bin/sh\", \"./run.sh\"]\n\
                    [env]\nGREETING = \"hello\"\n";
    let src = image_dir(root.path(), "src", manifest);

    let info = runtime.import_image(&src).await.unwrap();
    assert_eq!(info.names, ["team/echo:1"]);
    assert!(info.id.starts_with("sha256:"), "{}", info.id);
    assert_eq!(runtime.images().await.unwrap(), std::slice::from_ref(&info));
    assert_eq!(runtime.image("team/echo:1").await.unwrap(), Some(info));
    let copy = runtime.images_dir().join("team_echo_1");
    assert_eq!(fs::read_to_string(copy.join("run.sh")).unwrap(), "echo hello\n");
    fs::remove_dir_all(&src).unwrap();
    assert_eq!(runtime.images().await.unwrap().len(), 1, "the catalogue holds its own copy");
}

#[tokio::test]
#[ignore = "needs root"]
async fn refuses_an_image_without_entrypoint_naming_the_field() {
    let root = tempfile::tempdir().unwrap();
    let runtime = runtime(root.path()).await;
    let src = image_dir(root.path(), "src", "name = \"no-entrypoint\"\n");

    let err = runtime.import_image(&src).await.unwrap_err();
    assert!(matches!(err, RuntimeError::InvalidImage(_)), "{err:?}");
    let (code, message) = answer(err);
    assert_eq!(code, Code::InvalidArgument);
    assert!(message.contains("the field `entrypoint` is required"), "{message}");
    assert!(runtime.images().await.unwrap().is_empty());

    let err = runtime.import_image(&root.path().join("absent")).await.unwrap_err();
    let (code, message) = answer(err);
    assert_eq!(code, Code::InvalidArgument);
    assert!(message.ends_with("absent is not a directory"), "{message}");
    let empty = root.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (code, message) = answer(runtime.import_image(&empty).await.unwrap_err());
    assert_eq!(code, Code::InvalidArgument);
    assert!(message.ends_with("empty holds no manifest.toml"), "{message}");
}

#[tokio::test]
#[ignore = "needs root"]
async fn refuses_a_second_image_of_the_same_name() {
    let root = tempfile::tempdir().unwrap();
    let runtime = runtime(root.path()).await;
    let first = image_dir(root.path(), "one", "name = \"sip\"\nentrypoint = [\"/bin/true\"]\n");
    let second =
        image_dir(root.path(), "two", "name = \"sip:latest\"\nentrypoint = [\"/bin/false\"]\n");
    let info = runtime.import_image(&first).await.unwrap();

    let err = runtime.import_image(&second).await.unwrap_err();
    assert!(matches!(&err, RuntimeError::ImageExists { name } if name == "sip:latest"), "{err:?}");
    let (code, message) = answer(err);
    assert_eq!(code, Code::AlreadyExists);
    assert!(message.contains("(the manifest's `name`)"), "{message}");
    assert_eq!(runtime.images().await.unwrap(), [info], "the first image stays as it was");
    let left: Vec<_> = fs::read_dir(runtime.images_dir()).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing staged is left behind");
}
