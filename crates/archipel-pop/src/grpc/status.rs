//! PopError -> tonic::Status: one precise code per variant, and a lowercase message that says
//! what is wrong and what to do (the error's chain of causes included).

use tonic::{Code, Status};

use crate::error::{chain, PopError};
use crate::runtime::RuntimeError;

pub fn code_of(err: &PopError) -> Code {
    match err {
        PopError::NotFound(_) => Code::NotFound,
        PopError::InvalidArgument(_) => Code::InvalidArgument,
        PopError::AlreadyExists(_) => Code::AlreadyExists,
        PopError::FailedPrecondition(_) => Code::FailedPrecondition,
        PopError::ResourceExhausted(_) => Code::ResourceExhausted,
        PopError::Unauthenticated(_) => Code::Unauthenticated,
        PopError::ShuttingDown => Code::Unavailable,
        PopError::Runtime(r) => match r {
            RuntimeError::ImageNotFound(_) | RuntimeError::WorkloadNotFound(_) => Code::NotFound,
            RuntimeError::NetworkConflict { .. } | RuntimeError::ImageExists { .. } => {
                Code::AlreadyExists
            }
            RuntimeError::InvalidImage(_) => Code::InvalidArgument,
            // The server has the call; the site's runtime cannot do it.
            RuntimeError::Unsupported { .. } => Code::FailedPrecondition,
            RuntimeError::Unavailable { .. } => Code::Unavailable,
            RuntimeError::Failed { .. } => Code::Internal,
        },
        PopError::Store(_) | PopError::Auth(_) | PopError::Io { .. } | PopError::Serve(_) => {
            Code::Internal
        }
    }
}

pub fn to_status(err: PopError) -> Status {
    let code = code_of(&err);
    if code == Code::Internal {
        tracing::error!(error = %chain(&err), "internal error");
    }
    Status::new(code, chain(&err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let s = |e: PopError| to_status(e).code();
        assert_eq!(s(PopError::NotFound("x".into())), Code::NotFound);
        assert_eq!(s(PopError::ResourceExhausted("x".into())), Code::ResourceExhausted);
        assert_eq!(s(RuntimeError::ImageNotFound("nope:1".into()).into()), Code::NotFound);
        assert_eq!(s(PopError::Runtime(RuntimeError::ImageNotFound("n".into()))), Code::NotFound);
        let failed = RuntimeError::Failed { op: "start", source: "no such file".into() };
        let status = to_status(PopError::Runtime(failed));
        assert_eq!(status.code(), Code::Internal);
        assert!(status.message().ends_with("runtime operation start failed: no such file"));

        let unsupported = RuntimeError::Unsupported { what: "no image import here".into() };
        let status = to_status(unsupported.into());
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_eq!(status.message(), "no image import here");
        let invalid = RuntimeError::InvalidImage("the field `entrypoint` is required".into());
        let status = to_status(invalid.into());
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "the image directory is invalid: the field `entrypoint` is required"
        );
        let exists = to_status(RuntimeError::ImageExists { name: "sip:1".into() }.into());
        assert_eq!(exists.code(), Code::AlreadyExists);
        assert!(exists.message().starts_with("an image named sip:1 (the manifest's `name`)"));
        let raw = |r: RuntimeError| code_of(&PopError::Runtime(r));
        assert_eq!(raw(RuntimeError::Unsupported { what: "x".into() }), Code::FailedPrecondition);
        assert_eq!(raw(RuntimeError::InvalidImage("x".into())), Code::InvalidArgument);
        assert_eq!(raw(RuntimeError::ImageExists { name: "x".into() }), Code::AlreadyExists);
    }
}
