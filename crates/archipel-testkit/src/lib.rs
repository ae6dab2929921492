//! Test-only helpers: unique names, subnets that no concurrent test uses, the daemons under
//! test as real processes, and the commands tests look at the world with.
//!
//! Every guard here cleans up on drop, so a failing test leaves nothing behind.

mod cmd;
mod daemon;
mod metrics;
mod names;
pub mod native;
mod nfvo;
mod nsds;
mod popd;
mod subnets;
pub mod swarm;

pub use cmd::{docker, docker_ok, processes_under, require_docker, require_root, run, sh};
pub use daemon::json_output;
pub use metrics::parse_metrics;
pub use names::unique;
pub use nfvo::{NfvoProcess, NFVO_ADMIN};
pub use nsds::{broken_nsds, sipp_counter, sipp_nsd, SIPP_NSD};
pub use popd::{PopdProcess, PopdRuntime};
pub use subnets::TestSubnet;
