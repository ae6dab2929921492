//! The errors of the client.

use tonic::{Code, Status};

/// An error of a Pop call. [`ClientError::code`] gives the gRPC code where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid pop endpoint {endpoint}")]
    Endpoint {
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    #[error("popd at {endpoint} is reached over TLS: give the certificate authority that signed its certificate (--ca)")]
    NoCa { endpoint: String },
    #[error("cannot connect to popd at {endpoint}; check that popd runs there")]
    Connect {
        endpoint: String,
        #[source]
        source: tonic::transport::Error,
    },
    /// Login itself failed (a wrong password, an unknown user): never retried.
    #[error("login as {username} at {endpoint} refused: {}", status_text(.status))]
    Login { endpoint: String, username: String, status: Status },
    #[error("popd at {endpoint} returned a token that cannot be sent as gRPC metadata")]
    Token {
        endpoint: String,
        #[source]
        source: tonic::metadata::errors::InvalidMetadataValue,
    },
    /// The server answered the call with an error; its message is this error's message.
    #[error("{}", status_text(.0))]
    Status(Status),
}

impl ClientError {
    /// The gRPC code the server answered, if the call reached it.
    pub fn code(&self) -> Option<Code> {
        self.status().map(Status::code)
    }

    /// The server's answer, if the call reached it.
    pub fn status(&self) -> Option<&Status> {
        match self {
            ClientError::Login { status, .. } | ClientError::Status(status) => Some(status),
            _ => None,
        }
    }
}

// Not `#[from]`: the status is this error's content, not a cause behind it.
impl From<Status> for ClientError {
    fn from(status: Status) -> Self {
        ClientError::Status(status)
    }
}

fn status_text(status: &Status) -> &str {
    if status.message().is_empty() {
        status.code().description()
    } else {
        status.message()
    }
}

/// The canonical name of a gRPC code, as in the gRPC specification (`NOT_FOUND`).
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_show_the_message_and_keep_the_code() {
        let err = ClientError::from(Status::not_found("container web not found"));
        assert_eq!(err.to_string(), "container web not found");
        assert_eq!(err.code(), Some(Code::NotFound));
        assert_eq!(code_name(Code::FailedPrecondition), "FAILED_PRECONDITION");
    }

    #[test]
    fn an_empty_message_falls_back_to_the_code_description() {
        let err = ClientError::from(Status::new(Code::Unavailable, ""));
        assert_eq!(err.to_string(), Code::Unavailable.description());
    }
}
