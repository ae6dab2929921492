//! The subcommands of `archipel`.

pub mod agent;
pub mod intersite;
pub mod lab;
pub mod pop;
pub mod popd;
