//! How API keys print as table rows; as YAML or JSON they print as the REST API answers them.

use archipel_nfvo::api::dto::{ApiKeyCreated, ApiKeyInfo};

use crate::cmd::user::view::role;
use crate::output::Tabular;

impl Tabular for ApiKeyInfo {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "USER", "ROLE", "CREATED", "BY"];
    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.username.clone(),
            role(self.role).to_owned(),
            self.created_at.clone(),
            self.created_by.clone(),
        ]
    }
}

impl Tabular for ApiKeyCreated {
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "USER", "ROLE", "KEY"];
    fn row(&self) -> Vec<String> {
        let info = &self.info;
        vec![
            info.id.clone(),
            info.name.clone(),
            info.username.clone(),
            role(info.role).to_owned(),
            self.key.clone(),
        ]
    }
}
