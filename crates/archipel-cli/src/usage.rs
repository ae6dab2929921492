//! How a failed command ends: the `error: …` line and the exit code.

use archipel_pop_client::{code_name, ClientError};

use crate::cmd::pop::words::WordsError;

/// A command line that clap accepted but that cannot work: exit code 2, like clap's own.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Words(#[from] WordsError),
    #[error("no credentials: set POP_AUTH=USER:PASSWORD or pass --auth USER:PASSWORD")]
    NoAuth,
}

/// A command run in a container (`pop exec`) that ended with a code other than 0: archipel
/// exits with that code (at most 255; a negative one as 1).
#[derive(Debug, thiserror::Error)]
#[error("the command in {container} exited with code {code}")]
pub struct CommandExit {
    pub container: String,
    pub code: i32,
}

/// `error: <the error and its causes, joined by ": "> (<gRPC code>)`, the code only when popd
/// answered one.
pub fn error_line(err: &anyhow::Error) -> String {
    let code = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<ClientError>())
        .and_then(ClientError::code);
    match code {
        Some(code) => format!("error: {err:#} ({})", code_name(code)),
        None => format!("error: {err:#}"),
    }
}

pub fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(exit) = err.chain().find_map(|cause| cause.downcast_ref::<CommandExit>()) {
        u8::try_from(exit.code).unwrap_or(1)
    } else if err.chain().any(|cause| cause.is::<UsageError>()) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use archipel_pop_client::ClientError;
    use tonic::Status;

    use super::*;

    #[test]
    fn grpc_errors_end_with_the_code_name() {
        let err = anyhow::Error::from(ClientError::from(Status::failed_precondition(
            "network extra is in use",
        )));
        assert_eq!(error_line(&err), "error: network extra is in use (FAILED_PRECONDITION)");
        assert_eq!(exit_code(&err), 1);
    }

    #[test]
    fn context_comes_first_and_the_code_is_still_found() {
        let err =
            anyhow::Error::from(ClientError::from(Status::not_found("container web not found")))
                .context("container web was created but did not start");
        assert_eq!(
            error_line(&err),
            "error: container web was created but did not start: container web not found (NOT_FOUND)"
        );
    }

    #[test]
    fn usage_errors_exit_with_2() {
        let err = anyhow::Error::from(UsageError::NoAuth);
        assert_eq!(exit_code(&err), 2);
        assert!(error_line(&err).starts_with("error: no credentials: set POP_AUTH"));
    }
}
