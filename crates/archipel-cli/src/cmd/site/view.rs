//! How a site prints as a table row; as YAML or JSON it prints as the REST API answers it.

use archipel_nfvo::api::dto::SiteInfo;

use crate::output::Tabular;

impl Tabular for SiteInfo {
    const HEADERS: &'static [&'static str] = &["NAME", "POP", "REACHABLE", "POP NAME", "AGENT"];
    fn row(&self) -> Vec<String> {
        let reachable = if self.reachable {
            "yes".to_owned()
        } else {
            format!("no: {}", self.unreachable_reason.as_deref().unwrap_or("no answer"))
        };
        vec![
            self.name.clone(),
            self.pop_endpoint.clone(),
            reachable,
            self.pop_name.clone().unwrap_or_default(),
            self.agent_endpoint.clone().unwrap_or_default(),
        ]
    }
}
