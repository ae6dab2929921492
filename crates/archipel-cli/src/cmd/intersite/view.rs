//! How an inter-site service prints.

use archipel_agent::Service;
use serde::Serialize;

use crate::output::Tabular;

#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ServiceView(pub Service);

impl Tabular for ServiceView {
    const HEADERS: &'static [&'static str] =
        &["ID", "TYPE", "NAME", "MASTER", "RESOURCES", "VNI", "SUBNET"];

    fn row(&self) -> Vec<String> {
        let s = &self.0;
        let resources: Vec<String> =
            s.resources.iter().map(|r| format!("{}:{}", r.site, r.network)).collect();
        vec![
            s.global_id.clone(),
            s.kind.to_string(),
            s.name.clone(),
            s.master.clone(),
            resources.join(","),
            s.params.vni.map(|v| v.to_string()).unwrap_or_default(),
            s.params.cidr.map(|c| c.to_string()).unwrap_or_default(),
        ]
    }
}
