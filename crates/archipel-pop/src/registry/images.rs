//! Adding an image to the site's catalogue. The registry keeps no image of its own: the runtime
//! holds them, and says whether it takes image directories at all.

use std::path::Path;

use tracing::info;

use super::Pop;
use crate::error::PopError;
use crate::runtime::ImageInfo;

impl Pop {
    /// Imports the image directory `src`, an absolute path on popd's own host (the catalogue is
    /// local to the site, and a relative path would depend on popd's working directory).
    pub async fn import_image(&self, src: &Path) -> Result<ImageInfo, PopError> {
        if src.as_os_str().is_empty() {
            return Err(PopError::ImagePathRequired);
        }
        if !src.is_absolute() {
            return Err(PopError::ImagePathRelative { path: src.to_owned() });
        }
        let image = self.inner().runtime.import_image(src).await?;
        info!(id = %image.id, names = ?image.names, src = %src.display(), "image imported");
        Ok(image)
    }
}
