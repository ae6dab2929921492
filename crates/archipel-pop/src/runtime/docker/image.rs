//! The engine's local images. Nothing is ever pulled: a site has no registry.

use std::collections::HashMap;

use bollard::image::ListImagesOptions;
use bollard::Docker;

use super::{failed, is_not_found};
use crate::runtime::{ImageInfo, RuntimeError};
use archipel_daemon::ids::parse_rfc3339;

/// What Docker lists for an image it holds under no name.
const UNTAGGED: &str = "<none>:<none>";

/// Equals `docker images`.
pub(super) async fn list(docker: &Docker) -> Result<Vec<ImageInfo>, RuntimeError> {
    let images = docker
        .list_images(Some(ListImagesOptions::<String> {
            filters: HashMap::new(),
            ..Default::default()
        }))
        .await
        .map_err(failed("list images"))?;
    Ok(images
        .into_iter()
        .map(|image| ImageInfo {
            id: image.id,
            names: image.repo_tags.into_iter().filter(|tag| tag != UNTAGGED).collect(),
            created: image.created,
        })
        .collect())
}

/// The image a reference names, as [`find`] resolves it. Equals `docker image inspect
/// REFERENCE` (one cheap call: this runs on every Create and Start), checked against [`find`]'s
/// rules; `docker images` only when inspect does not settle it (an ambiguous id prefix, say).
pub(super) async fn lookup(
    docker: &Docker,
    reference: &str,
) -> Result<Option<ImageInfo>, RuntimeError> {
    match docker.inspect_image(reference).await {
        Ok(image) => {
            let info = ImageInfo {
                id: image.id.unwrap_or_default(),
                names: image
                    .repo_tags
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|tag| tag != UNTAGGED)
                    .collect(),
                created: image.created.as_deref().and_then(parse_rfc3339).unwrap_or_default(),
            };
            if find(std::slice::from_ref(&info), reference).is_some() {
                return Ok(Some(info));
            }
        }
        Err(error) if is_not_found(&error) => {}
        Err(error) => return Err(failed("inspect image")(error)),
    }
    let images = list(docker).await?;
    Ok(find(&images, reference).cloned())
}

/// The image a reference names, as Docker resolves it: a name (`name:tag`, a name without tag
/// meaning `:latest`), else an id (`sha256:…` or without the prefix, whole or a prefix that
/// matches one image only).
pub(super) fn find<'a>(images: &'a [ImageInfo], reference: &str) -> Option<&'a ImageInfo> {
    let name = with_tag(reference);
    if let Some(image) = images.iter().find(|i| i.names.contains(&name)) {
        return Some(image);
    }
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut matching =
        images.iter().filter(|i| i.id.strip_prefix("sha256:").unwrap_or(&i.id).starts_with(hex));
    match (matching.next(), matching.next()) {
        (Some(image), None) => Some(image),
        _ => None,
    }
}

/// The reference to create a container from: the name the caller gave if it is one, else the
/// image's id (an id prefix is not something to store in a container's configuration).
pub(super) fn create_reference(image: &ImageInfo, reference: &str) -> String {
    let name = with_tag(reference);
    if image.names.contains(&name) {
        name
    } else {
        image.id.clone()
    }
}

/// `name` with `:latest` appended when it has no tag (the part after the last `/` holds none;
/// a `:` before it is a registry's port) and no digest.
fn with_tag(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    if last.contains(':') || reference.contains('@') {
        reference.to_owned()
    } else {
        format!("{reference}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, names: &[&str]) -> ImageInfo {
        ImageInfo {
            id: format!("sha256:{id}"),
            names: names.iter().map(|n| n.to_string()).collect(),
            created: 0,
        }
    }

    #[test]
    fn finds_by_name_defaulting_to_latest() {
        let images = [
            image("aa11", &["busybox:latest"]),
            image("bb22", &["busybox:1.36", "reg:5000/x/sip:v1"]),
        ];
        assert_eq!(find(&images, "busybox").unwrap().id, "sha256:aa11");
        assert_eq!(find(&images, "busybox:1.36").unwrap().id, "sha256:bb22");
        assert_eq!(find(&images, "reg:5000/x/sip:v1").unwrap().id, "sha256:bb22");
        assert!(find(&images, "reg:5000/x/sip").is_none());
        assert!(find(&images, "alpine").is_none());
    }

    #[test]
    fn finds_by_unique_id_prefix() {
        let images = [image("aa11", &[]), image("aa22", &[]), image("bb33", &[])];
        assert_eq!(find(&images, "sha256:aa11").unwrap().id, "sha256:aa11");
        assert_eq!(find(&images, "aa1").unwrap().id, "sha256:aa11");
        assert_eq!(find(&images, "b").unwrap().id, "sha256:bb33");
        assert!(find(&images, "aa").is_none(), "ambiguous");
        assert!(find(&images, "cc").is_none());
        assert!(find(&images, "").is_none());
    }

    #[test]
    fn creates_from_the_name_when_named() {
        let busybox = image("aa11", &["busybox:latest"]);
        assert_eq!(create_reference(&busybox, "busybox"), "busybox:latest");
        assert_eq!(create_reference(&busybox, "aa1"), "sha256:aa11");
    }
}
