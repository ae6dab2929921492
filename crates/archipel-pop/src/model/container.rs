use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::error::PopError;

/// The life of a Pop container. States move one way:
/// CREATED -> RUNNING -> STOPPING -> EXITED | FAILED; a failing start goes CREATED -> FAILED and
/// a workload that ends by itself goes RUNNING -> EXITED | FAILED. A final state allows only
/// Delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerState {
    Created,
    Running,
    Stopping,
    Exited,
    Failed,
}

impl ContainerState {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Exited | Self::Failed)
    }

    /// Whether the state machine allows moving from `self` to `next`.
    pub fn can_become(self, next: Self) -> bool {
        use ContainerState::*;
        matches!(
            (self, next),
            (Created, Running)
                | (Created, Failed)
                | (Running, Stopping)
                | (Running, Exited)
                | (Running, Failed)
                | (Stopping, Exited)
                | (Stopping, Failed)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Running => "RUNNING",
            Self::Stopping => "STOPPING",
            Self::Exited => "EXITED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Created, Self::Running, Self::Stopping, Self::Exited, Self::Failed]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

impl fmt::Display for ContainerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A container's address on one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEndpoint {
    pub network_id: String,
    pub address: Ipv4Addr,
    /// Known once the workload runs, where the runtime tells it.
    pub mac: Option<String>,
}

/// The VIM's view of one VNFC instance; it exists, with its addresses, before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopContainer {
    pub id: String,
    pub name: String,
    /// The image reference the client gave.
    pub image: String,
    pub flavour: String,
    /// By network name.
    pub endpoints: BTreeMap<String, ContainerEndpoint>,
    /// Becomes the workload's environment at Start.
    pub metadata: BTreeMap<String, String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub started: Option<i64>,
    pub state: ContainerState,
    pub extended_status: String,
    pub exit_code: Option<i32>,
    /// The runtime's id of the workload, once started.
    pub runtime_id: Option<String>,
}

impl PopContainer {
    /// Moves to `next`, refusing what the state machine forbids.
    pub fn transition(&mut self, next: ContainerState) -> Result<(), PopError> {
        if !self.state.can_become(next) {
            return Err(PopError::WrongState {
                container: self.name.clone(),
                state: self.state,
                rule: format!("it cannot become {next}"),
            });
        }
        self.state = next;
        Ok(())
    }

    /// Whether the container holds its addresses (every state but the final ones).
    pub fn holds_addresses(&self) -> bool {
        !self.state.is_final()
    }
}

#[cfg(test)]
mod tests {
    use super::ContainerState::*;
    use super::*;

    #[test]
    fn transitions_go_one_way() {
        assert!(Created.can_become(Running));
        assert!(Created.can_become(Failed));
        assert!(Running.can_become(Stopping));
        assert!(Stopping.can_become(Exited));
        assert!(!Running.can_become(Created));
        assert!(!Created.can_become(Stopping));
        assert!(!Stopping.can_become(Running));
        for last in [Exited, Failed] {
            for next in [Created, Running, Stopping, Exited, Failed] {
                assert!(!last.can_become(next), "{last} -> {next}");
            }
        }
    }

    #[test]
    fn states_round_trip_as_text() {
        for s in [Created, Running, Stopping, Exited, Failed] {
            assert_eq!(ContainerState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ContainerState::parse("UNAVAILABLE"), None);
    }
}
