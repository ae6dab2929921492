//! `pop image import` against a popd whose runtime takes no image directories (the fake, like
//! Docker): the error names the runtime, the directory as popd got it, and the gRPC code.

use std::fs;

use crate::harness::{stderr, Popd};

#[tokio::test(flavor = "multi_thread")]
async fn import_on_a_runtime_without_a_catalogue_is_a_failed_precondition() {
    let popd = Popd::start().await;
    let root = tempfile::tempdir().unwrap();
    let dir = fs::canonicalize(root.path()).unwrap().join("echo");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("manifest.toml"), "name = \"echo\"\nentrypoint = [\"/bin/true\"]\n")
        .unwrap();

    // A relative DIR reaches popd absolute and canonical.
    let out = popd
        .command()
        .current_dir(root.path())
        .args(["pop", "image", "import", "./echo/../echo"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = stderr(&out);
    let expected = format!(
        "error: the fake runtime imports no image directories (asked for {}) (FAILED_PRECONDITION)\n",
        dir.display()
    );
    assert_eq!(line, expected);
    assert_eq!(popd.json(&["images"]).await.as_array().map(Vec::len), Some(1));
}
