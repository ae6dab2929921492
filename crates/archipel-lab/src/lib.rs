//! `archipel lab`: N sites on one Linux machine, every daemon real.
//!
//! ```text
//!  host: <lab>h 198.18.0.254 ── veth ──┐            popd of each site (host namespace,
//!                                      │              listening on 198.18.0.254:PORT)
//!  namespace <lab>-hub: br0 ── to-a ── veth ── u0 198.18.0.1  namespace <lab>-a (agent a)
//!                          └── to-b ── veth ── u0 198.18.0.2  namespace <lab>-b (agent b)
//! ```
//!
//! The underlay bridge lives in a namespace of its own, not in the host: with Docker running,
//! the host bridges through iptables (br_netfilter) and drops forwarded frames. Each agent runs
//! inside its site's namespace and listens on the site's underlay address, so East-West calls
//! cross the underlay and a site cut from it is unreachable, as a partitioned site would be.
//! Each popd runs in the host, manages its site's namespace (`--netns`) and listens on the
//! host's underlay address, where the agents and the host's CLI reach it.
//!
//! By default every daemon serves TLS with a certificate of the lab's own CA (`DIR/pki`), and
//! the agents present theirs to each other; `lab.json` names the CA for the clients.

mod context;
mod down;
mod error;
mod pki;
mod plan;
mod process;
pub mod swarm;
mod topology;
mod up;

pub use context::{context_path, LabContext, SiteContext, CONTEXT_ENV, CONTEXT_FILE, DEFAULT_DIR};
pub use down::down;
pub use error::LabError;
pub use pki::{agent_cert, popd_cert, NFVO_CERT};
pub use plan::{DockerSite, LabPlan, DEFAULT_UNDERLAY};
pub use process::{restart_agent, restart_popd, site_daemons_running};
pub use swarm::{SwarmNodeContext, MAX_NODES};
pub use up::up;
