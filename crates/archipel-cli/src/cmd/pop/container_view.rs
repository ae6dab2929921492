//! A container as `pop` prints it, with the thesis's keys (`extId`, `extendedStatus`, `ips`).

use std::collections::BTreeMap;

use archipel_pop_client::pb;
use serde::Serialize;

use crate::output::{rfc3339, Tabular};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerView {
    pub name: String,
    pub ext_id: String,
    pub status: &'static str,
    pub extended_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    pub image: String,
    pub flavour: String,
    /// Addresses by network name.
    pub ips: BTreeMap<String, Vec<String>>,
    pub metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

impl From<&pb::Container> for ContainerView {
    fn from(c: &pb::Container) -> Self {
        let ips = c
            .endpoints
            .iter()
            .map(|(key, endpoint)| {
                let net = if endpoint.net_name.is_empty() { key } else { &endpoint.net_name };
                let addresses = [&endpoint.ipv4, &endpoint.ipv6]
                    .into_iter()
                    .flatten()
                    .filter(|ip| !ip.address.is_empty())
                    .map(|ip| ip.address.clone())
                    .collect();
                (net.clone(), addresses)
            })
            .collect();
        ContainerView {
            name: c.names.first().cloned().unwrap_or_default(),
            ext_id: c.id.clone(),
            status: c.status().as_str_name(),
            extended_status: c.extended_status.clone(),
            created: rfc3339(c.created),
            started: rfc3339(c.started),
            image: c.image_id.clone(),
            flavour: c.flavour_id.clone(),
            ips,
            metadata: c
                .md
                .as_ref()
                .map(|md| md.entries.clone().into_iter().collect())
                .unwrap_or_default(),
            exit_code: c.exit_code,
        }
    }
}

impl Tabular for ContainerView {
    const HEADERS: &'static [&'static str] = &["NAME", "ID", "STATUS", "IMAGE", "IPS", "CREATED"];

    fn row(&self) -> Vec<String> {
        let ips: Vec<String> = self
            .ips
            .iter()
            .flat_map(|(net, addresses)| addresses.iter().map(move |a| format!("{net}={a}")))
            .collect();
        vec![
            self.name.clone(),
            self.ext_id.clone(),
            self.status.to_string(),
            self.image.clone(),
            if ips.is_empty() { "-".into() } else { ips.join(",") },
            self.created.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{render_list, render_one, Format};

    pub(crate) fn sample() -> pb::Container {
        let endpoint = pb::Endpoint {
            net_name: "private".into(),
            ipv4: Some(pb::Ip { address: "172.16.0.2".into(), subnet: None }),
            ..Default::default()
        };
        pb::Container {
            id: "a5aabadc".into(),
            names: vec!["nginx-cont".into()],
            image_id: "nginx:latest".into(),
            flavour_id: "docker.container".into(),
            created: 1487694521,
            status: pb::container::Status::Created as i32,
            extended_status: "the container is created".into(),
            endpoints: [("private".to_string(), endpoint)].into(),
            md: Some(pb::Metadata { entries: [("RATE".to_string(), "10".to_string())].into() }),
            ..Default::default()
        }
    }

    #[test]
    fn yaml_has_the_thesis_keys() {
        let yaml = render_one(Format::Yaml, &ContainerView::from(&sample())).unwrap();
        assert_eq!(
            yaml,
            "name: nginx-cont\nextId: a5aabadc\nstatus: CREATED\n\
             extendedStatus: the container is created\ncreated: 2017-02-21T16:28:41Z\n\
             image: nginx:latest\nflavour: docker.container\nips:\n  private:\n  - 172.16.0.2\n\
             metadata:\n  RATE: '10'\n"
        );
    }

    #[test]
    fn json_keeps_addresses_by_network() {
        let json = render_one(Format::Json, &ContainerView::from(&sample())).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["ips"]["private"][0], "172.16.0.2");
        assert_eq!(value["status"], "CREATED");
        assert!(value.get("started").is_none());
    }

    #[test]
    fn table_has_one_line_per_container() {
        let views = [ContainerView::from(&sample())];
        let table = render_list(Format::Table, &views).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("NAME        ID        STATUS   IMAGE"));
        assert!(lines[1].contains("private=172.16.0.2"));
    }
}
