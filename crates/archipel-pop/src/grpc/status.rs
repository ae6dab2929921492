//! PopError -> tonic::Status: the one place that decides which gRPC code each error answers,
//! with a lowercase message that says what is wrong and what to do (the error's chain of causes
//! included).

use tonic::{Code, Status};

use crate::error::{chain, PopError};
use crate::runtime::RuntimeError;

pub fn code_of(err: &PopError) -> Code {
    use PopError as E;
    match err {
        E::ContainerNotFound { .. }
        | E::ContainerDeleted { .. }
        | E::NetworkNotFound { .. }
        | E::UnknownNetwork { .. }
        | E::NetworkDeleted { .. }
        | E::ImageNotFound { .. }
        | E::OutputGone { .. } => Code::NotFound,
        E::FilterRequired { .. }
        | E::NameRequired { .. }
        | E::InvalidName { .. }
        | E::InvalidMetadataKey { .. }
        | E::InvalidMetadataValue { .. }
        | E::MetadataEntryTooLarge { .. }
        | E::MetadataTooLarge { .. }
        | E::NotAnAddress { .. }
        | E::NotAPrefix { .. }
        | E::EndpointWithoutNetwork
        | E::NetworkTwice { .. }
        | E::UnknownFlavour { .. }
        | E::ImageRequired
        | E::InvalidCommand { .. }
        | E::ImagePathRequired
        | E::ImagePathRelative { .. }
        | E::InvalidImage(_)
        | E::MtuOutOfRange { .. }
        | E::InvalidSubnetPlan { .. }
        | E::InvalidPools { .. }
        | E::SubnetOverlap { .. }
        | E::ReservedSubnet { .. }
        | E::AddressUnusable { .. }
        | E::InvalidAddressing { .. }
        | E::DefaultSubnetUnusable { .. } => Code::InvalidArgument,
        E::ContainerExists { .. }
        | E::NetworkExists { .. }
        | E::AddressTaken { .. }
        | E::ImageExists { .. } => Code::AlreadyExists,
        E::WrongState { .. }
        | E::EndpointNetworkGone { .. }
        | E::NeverRan { .. }
        | E::NetworkInUse { .. }
        | E::InUseOutsidePools { .. }
        | E::SiteConflict { .. }
        // The server has the call; the site's runtime cannot do it.
        | E::Unsupported { .. } => Code::FailedPrecondition,
        E::PoolExhausted { .. } | E::NotRefilled { .. } | E::DiskFull { .. } => {
            Code::ResourceExhausted
        }
        E::NoToken | E::BadLogin | E::SessionExpired | E::UnknownSession => Code::Unauthenticated,
        E::ShuttingDown => Code::Unavailable,
        E::Runtime(r) => match r {
            RuntimeError::ImageNotFound(_) | RuntimeError::WorkloadNotFound(_) => Code::NotFound,
            RuntimeError::NetworkConflict { .. } | RuntimeError::ImageExists { .. } => {
                Code::AlreadyExists
            }
            RuntimeError::InvalidImage(_) => Code::InvalidArgument,
            RuntimeError::Unsupported { .. } | RuntimeError::SiteConflict { .. } => {
                Code::FailedPrecondition
            }
            RuntimeError::Unavailable { .. } => Code::Unavailable,
            RuntimeError::Failed { .. } => Code::Internal,
        },
        E::Store(_) | E::Auth(_) | E::Io { .. } | E::Tls(_) | E::Serve(_) => Code::Internal,
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
        assert_eq!(s(PopError::NetworkDeleted { name: "x".into() }), Code::NotFound);
        let exhausted = PopError::PoolExhausted { network: "x".into(), pools: "p".into() };
        assert_eq!(s(exhausted), Code::ResourceExhausted);
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
