//! What the demo has made so far, recorded as soon as each thing exists, so that the teardown
//! (also after a failure or an interruption midway) and `--keep`'s advice know about it.

use std::path::{Path, PathBuf};

use archipel_lab::LabContext;
use archipel_nfvo::api::dto::NsInstance;

use super::orchestrator::Orchestrator;

#[derive(Debug)]
pub struct Made {
    /// The demo's directory, as given.
    pub dir: PathBuf,
    /// The lab's context file, from the moment `lab up` begins (it may stop midway).
    pub lab: Option<PathBuf>,
    /// The lab, once up.
    pub ctx: Option<LabContext>,
    pub nfvo: Option<Orchestrator>,
    /// The network service's id, from its creation.
    pub ns: Option<String>,
    /// The NSR as last read.
    pub nsr: Option<NsInstance>,
}

impl Made {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_owned(), lab: None, ctx: None, nfvo: None, ns: None, nsr: None }
    }

    /// Where the NFVO keeps its store.
    pub fn nfvo_dir(&self) -> PathBuf {
        nfvo_dir(&self.dir)
    }
}

/// The NFVO's store under the demo's directory.
pub fn nfvo_dir(dir: &Path) -> PathBuf {
    dir.join("nfvo")
}
