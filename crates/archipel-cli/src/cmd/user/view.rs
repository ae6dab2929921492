//! How a user prints as a table row; as YAML or JSON it prints as the REST API answers it.

use archipel_nfvo::api::dto::{RoleName, UserInfo};

use crate::output::Tabular;

impl Tabular for UserInfo {
    const HEADERS: &'static [&'static str] = &["NAME", "ROLE", "CREATED"];
    fn row(&self) -> Vec<String> {
        vec![self.username.clone(), role(self.role).to_owned(), self.created_at.clone()]
    }
}

pub fn role(role: RoleName) -> &'static str {
    match role {
        RoleName::Admin => "admin",
        RoleName::Operator => "operator",
        RoleName::Reader => "reader",
    }
}
