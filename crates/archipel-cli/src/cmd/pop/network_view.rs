//! A network as `pop` prints it, with where it lives in Linux.

use archipel_pop_client::pb;
use serde::Serialize;

use crate::output::Tabular;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkView {
    pub name: String,
    pub id: String,
    pub cidr: String,
    pub gateway: String,
    /// `FIRST-LAST` ranges.
    pub pools: Vec<String>,
    /// 0: the runtime's default.
    pub mtu: u32,
    pub bridge: String,
    /// Empty: the host's own namespace.
    pub netns: String,
}

impl From<&pb::Network> for NetworkView {
    fn from(n: &pb::Network) -> Self {
        let subnet = n.subnets.first().cloned().unwrap_or_default();
        let attachment = n.attachment.clone().unwrap_or_default();
        NetworkView {
            name: n.name.clone(),
            id: n.id.clone(),
            cidr: subnet.cidr,
            gateway: subnet.gateway,
            pools: n.pools.iter().map(|p| format!("{}-{}", p.first, p.last)).collect(),
            mtu: n.mtu,
            bridge: attachment.bridge,
            netns: attachment.netns,
        }
    }
}

impl Tabular for NetworkView {
    const HEADERS: &'static [&'static str] =
        &["NAME", "ID", "CIDR", "GATEWAY", "POOLS", "MTU", "BRIDGE", "NETNS"];

    fn row(&self) -> Vec<String> {
        let or_dash = |s: &str| if s.is_empty() { "-".to_string() } else { s.to_string() };
        vec![
            self.name.clone(),
            self.id.clone(),
            self.cidr.clone(),
            self.gateway.clone(),
            or_dash(&self.pools.join(",")),
            self.mtu.to_string(),
            or_dash(&self.bridge),
            or_dash(&self.netns),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{render_one, Format};

    fn sample() -> pb::Network {
        pb::Network {
            id: "n1".into(),
            name: "private".into(),
            subnets: vec![pb::Subnet {
                cidr: "172.16.0.0/16".into(),
                gateway: "172.16.0.1".into(),
            }],
            pools: vec![pb::Pool { first: "172.16.0.2".into(), last: "172.16.0.200".into() }],
            mtu: 1450,
            attachment: Some(pb::LinuxAttachment {
                bridge: "ap-private".into(),
                netns: String::new(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn yaml_lists_every_field() {
        let yaml = render_one(Format::Yaml, &NetworkView::from(&sample())).unwrap();
        assert_eq!(
            yaml,
            "name: private\nid: n1\ncidr: 172.16.0.0/16\ngateway: 172.16.0.1\n\
             pools:\n- 172.16.0.2-172.16.0.200\nmtu: 1450\nbridge: ap-private\nnetns: ''\n"
        );
    }

    #[test]
    fn table_marks_empty_cells() {
        let row = NetworkView::from(&sample()).row();
        assert_eq!(row.last().map(String::as_str), Some("-"));
        assert_eq!(row[4], "172.16.0.2-172.16.0.200");
    }
}
