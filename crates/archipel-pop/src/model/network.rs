use archipel_ipam::SubnetPlan;

use crate::runtime::NetworkSpec;

/// Where a network lives in Linux, so that an inter-site agent can attach tunnels to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinuxAttachment {
    pub bridge: String,
    /// None: the host's own namespace.
    pub netns: Option<String>,
}

/// A Pop network: one subnet with a gateway and allocation pools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopNetwork {
    pub id: String,
    pub name: String,
    pub plan: SubnetPlan,
    /// None: the runtime's default.
    pub mtu: Option<u32>,
    pub attachment: LinuxAttachment,
    /// The runtime's own id for it.
    pub runtime_id: String,
    /// True when created through CreateNetwork; false for the default network, which popd
    /// ensures from its configuration at every start.
    pub managed: bool,
}

impl PopNetwork {
    /// What the runtime must realise.
    pub fn spec(&self) -> NetworkSpec {
        NetworkSpec {
            id: self.id.clone(),
            name: self.name.clone(),
            subnet: self.plan.cidr(),
            gateway: self.plan.gateway(),
            mtu: self.mtu,
        }
    }
}
