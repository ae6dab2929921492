//! Image import through the core: the path is checked, the runtime decides the rest.

use std::path::Path;

use super::Fixture;
use crate::error::PopError;

#[tokio::test]
async fn a_runtime_without_image_directories_refuses_the_import_as_a_precondition() {
    let f = Fixture::new().await;
    let err = f.pop.import_image(Path::new("/srv/images/echo")).await.unwrap_err();
    match err {
        PopError::Unsupported { what } => {
            assert!(what.contains("the fake runtime imports no image directories"), "{what}");
            assert!(what.contains("/srv/images/echo"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.pop.images(None).await.unwrap().len(), 1, "the catalogue is unchanged");
}

#[tokio::test]
async fn the_path_must_be_absolute_and_present() {
    let f = Fixture::new().await;
    for (path, expected) in
        [("", "the field `path` is required"), ("images/echo", "the field `path` (images/echo)")]
    {
        match f.pop.import_image(Path::new(path)).await.unwrap_err() {
            e @ (PopError::ImagePathRequired | PopError::ImagePathRelative { .. }) => {
                assert!(e.to_string().contains(expected), "{e}")
            }
            other => panic!("{path:?}: {other:?}"),
        }
    }
}
