//! `pop image import`: add an image (a directory, a `docker save` archive, an OCI image layout)
//! to the site's image catalogue.

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};

use super::catalogue_view::ImageView;
use super::Context;

/// Manage the site's image catalogue (a native popd's; a Docker popd takes its images from
/// Docker).
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  archipel pop image import ./examples/images/native/echo
  sh examples/images/build-native-images.sh /tmp/images && archipel pop image import /tmp/images/sipp-server
  docker save -o sipp.tar mcilloni/sipp-server:latest && archipel pop image import sipp.tar")]
pub struct ImageArgs {
    #[command(subcommand)]
    command: ImageCommand,
}

#[derive(Debug, Subcommand)]
enum ImageCommand {
    /// Add an image to the catalogue: an image directory (`manifest.toml` beside the files it
    /// needs), a `docker save` archive, or an OCI image layout (a directory or a tar of one).
    #[command(after_help = "\
popd reads the path on its own host: run this on that host, or copy the image there first and
give its path there.

An image directory's manifest needs `name` and `entrypoint = [\"…\"]`; `env` (defaults under the
container's metadata), `rootfs`, and with it `workdir` and `user` are optional.

An OCI image (one image, for one platform, tagged) has its layers unpacked in order into a root
filesystem, whiteouts honoured, each checked against its config; it then runs its Entrypoint
and Cmd with its Env, WorkingDir and User, as Docker runs it, with its own /proc and a minimal
/dev. Plain and gzip layers are taken; an image may unpack to at most 4 GiB.

An image whose name the catalogue already holds is refused, unless it is the same image (then
the one held is answered: nothing is stored twice).

Example:
  archipel pop image import /srv/images/sipp-server
  docker save -o /srv/images/sipp.tar mcilloni/sipp-server:latest
  archipel pop image import /srv/images/sipp.tar")]
    Import {
        /// The image directory, archive or layout.
        #[arg(value_name = "PATH")]
        dir: PathBuf,
    },
}

pub async fn run(ctx: &Context, args: ImageArgs) -> anyhow::Result<()> {
    match args.command {
        ImageCommand::Import { dir } => {
            let client = ctx.client()?;
            let path = absolute(&dir)
                .with_context(|| format!("cannot resolve the image path {}", dir.display()))?;
            let path = path.to_str().with_context(|| {
                format!("the image path {} is not a UTF-8 path", path.display())
            })?;
            let image = client.import_image(path).await?;
            ctx.print_one(&ImageView::from(&image))
        }
    }
}

/// The directory as popd must see it: canonical when it is on this host, else made absolute
/// against the working directory (a directory already copied to popd's host, at that path).
fn absolute(dir: &Path) -> io::Result<PathBuf> {
    match std::fs::canonicalize(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::path::absolute(dir),
        resolved => resolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_become_absolute_and_canonical_when_present() {
        let root = tempfile::tempdir().unwrap();
        let canonical = std::fs::canonicalize(root.path()).unwrap();
        std::fs::create_dir(canonical.join("img")).unwrap();
        let dotted = canonical.join("img/../img");
        assert_eq!(absolute(&dotted).unwrap(), canonical.join("img"));
        let remote = Path::new("/srv/only-on-popd-host/img");
        assert_eq!(absolute(remote).unwrap(), remote);
        let relative = absolute(Path::new("not-here/img")).unwrap();
        assert_eq!(relative, std::env::current_dir().unwrap().join("not-here/img"));
    }
}
