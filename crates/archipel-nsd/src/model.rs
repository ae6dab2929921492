//! The onboarded NSD: the fields Archipel acts on, under their Open Baton names.

/// A Network Service Descriptor that passed every catalogue rule. Only
/// [`parse_nsd`](super::parse_nsd) makes one, so names are unique, references resolve and
/// dependencies are acyclic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nsd {
    pub(crate) name: String,
    pub(crate) vendor: String,
    pub(crate) version: String,
    pub(crate) vld: Vec<VirtualLink>,
    pub(crate) vnfd: Vec<Vnfd>,
    pub(crate) vnf_dependency: Vec<VnfDependency>,
}

impl Nsd {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The service's virtual links (`vld`), in document order.
    pub fn vld(&self) -> &[VirtualLink] {
        &self.vld
    }

    /// The VNF descriptors, in document order.
    pub fn vnfd(&self) -> &[Vnfd] {
        &self.vnfd
    }

    pub fn vnf_dependency(&self) -> &[VnfDependency] {
        &self.vnf_dependency
    }

    pub fn vnfd_named(&self, name: &str) -> Option<&Vnfd> {
        self.vnfd.iter().find(|vnfd| vnfd.name == name)
    }

    /// The dependencies whose target is `target`, in document order.
    pub fn dependencies_of<'a>(
        &'a self,
        target: &'a str,
    ) -> impl Iterator<Item = &'a VnfDependency> + 'a {
        self.vnf_dependency.iter().filter(move |dependency| dependency.target == target)
    }
}

/// A virtual link: an NSD `vld` entry or a VNFD `virtual_link` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualLink {
    pub name: String,
}

/// The lifecycle events Open Baton knows (its `Event` enumeration); any other name is refused.
pub const LIFECYCLE_EVENTS: &[&str] = &[
    "GRANTED",
    "ALLOCATE",
    "SCALE",
    "RELEASE",
    "ERROR",
    "INSTANTIATE",
    "TERMINATE",
    "CONFIGURE",
    "START",
    "STOP",
    "HEAL",
    "SCALE_OUT",
    "SCALE_IN",
    "SCALE_UP",
    "SCALE_DOWN",
    "UPDATE",
    "UPDATE_ROLLBACK",
    "UPGRADE",
    "UPGRADE_ROLLBACK",
    "RESET",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vnfd {
    pub name: String,
    /// Open Baton's `type`; dependency metadata keys start with it.
    pub vnf_type: String,
    pub endpoint: String,
    pub vdu: Vec<Vdu>,
    /// `configurations.configurationParameters`, in document order.
    pub configurations: Vec<ConfigurationParameter>,
    pub virtual_link: Vec<VirtualLink>,
    pub deployment_flavour: Vec<DeploymentFlavour>,
    /// The VNFD's lifecycle events (not its VDUs'), in document order.
    pub lifecycle_event: Vec<LifecycleEvent>,
    /// `vnfPackageLocation`: the VNF package holding the scripts, an uploaded package's id or a
    /// local path on the NFVO's host.
    pub package: Option<String>,
    /// `vendor` and `version`, as text (empty when absent).
    pub vendor: String,
    pub version: String,
}

/// The scripts a VNF manager runs at one point of the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleEvent {
    /// One of [`LIFECYCLE_EVENTS`].
    pub event: String,
    /// The scripts' file names in the package's `scripts/` folder, in the order they run.
    pub scripts: Vec<String>,
}

impl Vnfd {
    /// What a dependency parameter names for this VNF as its source, trying a virtual link its
    /// VNFCs attach to, then `hostname`, then a configuration key.
    pub fn parameter_kind(&self, parameter: &str) -> Option<ParameterKind> {
        if self.attached_links().any(|link| link == parameter) {
            Some(ParameterKind::VirtualLink)
        } else if parameter == "hostname" {
            Some(ParameterKind::Hostname)
        } else if self.configurations.iter().any(|c| c.conf_key == parameter) {
            Some(ParameterKind::Configuration)
        } else {
            None
        }
    }

    /// The virtual links this VNF's VNFCs have a connection point on (with repeats).
    /// The scripts of event `event`, in order (none when the VNFD has no package).
    pub fn scripts<'a>(&'a self, event: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let packaged = self.package.is_some();
        self.lifecycle_event
            .iter()
            .filter(move |e| packaged && e.event == event)
            .flat_map(|e| &e.scripts)
            .map(String::as_str)
    }

    pub fn attached_links(&self) -> impl Iterator<Item = &str> {
        self.vdu
            .iter()
            .flat_map(|vdu| &vdu.vnfc)
            .flat_map(|vnfc| &vnfc.connection_point)
            .map(|cp| cp.virtual_link_reference.as_str())
    }
}

/// What a dependency parameter resolves to on the source VNF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterKind {
    /// The source's address on that virtual link.
    VirtualLink,
    /// The source's hostname.
    Hostname,
    /// The value of one of the source's configuration parameters.
    Configuration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vdu {
    /// The container images this VDU may run.
    pub vm_image: Vec<String>,
    /// The most VNFCs this VDU may scale out to.
    pub scale_in_out: u32,
    /// The VNFCs made at instantiation.
    pub vnfc: Vec<Vnfc>,
    /// Open Baton's `vimInstanceName`: the sites this VDU may be placed on (empty: any).
    pub vim_instance_name: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vnfc {
    pub connection_point: Vec<ConnectionPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionPoint {
    pub virtual_link_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigurationParameter {
    pub conf_key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentFlavour {
    pub flavour_key: String,
}

/// The target VNF depends on the source VNF: the source starts first and the target receives the
/// source's `parameters` as metadata (see [`metadata_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnfDependency {
    /// The source VNFD's name.
    pub source: String,
    /// The target VNFD's name.
    pub target: String,
    pub parameters: Vec<String>,
    /// Where the document declares it: `vnf_dependency[N]`, or `vnfd[N].requires.SOURCE` for
    /// one made from a VNFD's `requires`, as Open Baton makes them.
    pub declared_at: String,
}

/// The metadata key under which a target receives a source's parameter, as Open Baton names it:
/// `UPPER(<source type>_<parameter>)`, e.g. `SERVER_PRIVATE`.
pub fn metadata_key(source_type: &str, parameter: &str) -> String {
    format!("{source_type}_{parameter}").to_uppercase()
}
