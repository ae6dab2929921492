//! Telling a full file system among the causes of an error, and where it was found.

use std::error::Error;
use std::io;
use std::path::PathBuf;

use crate::runtime::native::NativeError;

/// Whether a full file system (no space, or the quota spent) caused `err`: Some with the path
/// being written when a cause names it.
pub(crate) fn full(err: &(dyn Error + 'static)) -> Option<Option<PathBuf>> {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(NativeError::Io { path, source, .. }) = e.downcast_ref::<NativeError>() {
            if no_space(source) {
                return Some(Some(path.clone()));
            }
        }
        if e.downcast_ref::<io::Error>().is_some_and(no_space) {
            return Some(None);
        }
        let sqlite =
            e.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code);
        if sqlite == Some(rusqlite::ErrorCode::DiskFull) {
            return Some(None);
        }
        cause = e.source();
    }
    None
}

fn no_space(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(nix::libc::ENOSPC | nix::libc::EDQUOT))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::error::PopError;
    use crate::grpc::status::to_status;
    use crate::runtime::RuntimeError;
    use crate::store::StoreError;

    #[test]
    fn a_full_disk_is_resource_exhausted_naming_the_path() {
        let store = Path::new("/data/popd.sqlite");
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let err = PopError::Store(StoreError::Sqlite { op: "write a container", source: full });
        let status = to_status(err.on_full_disk(store));
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        assert!(
            status.message().starts_with("the file system holding /data/popd.sqlite is full"),
            "{}",
            status.message()
        );

        let record = NativeError::Io {
            what: "write",
            path: "/data/native/workloads/x/state.json".into(),
            source: io::Error::from_raw_os_error(nix::libc::ENOSPC),
        };
        let err = PopError::Runtime(RuntimeError::Failed { op: "start", source: Box::new(record) });
        let status = to_status(err.on_full_disk(store));
        assert_eq!(status.code(), tonic::Code::ResourceExhausted);
        assert!(status.message().contains("holding /data/native/workloads/x/state.json is full"));

        let other = PopError::Runtime(RuntimeError::Failed {
            op: "start",
            source: Box::new(io::Error::from_raw_os_error(nix::libc::EACCES)),
        });
        assert_eq!(to_status(other.on_full_disk(store)).code(), tonic::Code::Internal);
    }
}
