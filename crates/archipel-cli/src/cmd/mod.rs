//! The subcommands of `archipel`.

pub mod pop;
pub mod popd;
