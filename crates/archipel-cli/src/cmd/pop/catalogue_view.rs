//! Images, flavours, the server's info and removed names as `pop` prints them.

use archipel_pop_client::pb;
use serde::Serialize;

use crate::output::{rfc3339, Tabular};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageView {
    pub id: String,
    pub names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

impl From<&pb::Image> for ImageView {
    fn from(i: &pb::Image) -> Self {
        ImageView { id: i.id.clone(), names: i.names.clone(), created: rfc3339(i.created) }
    }
}

impl Tabular for ImageView {
    const HEADERS: &'static [&'static str] = &["NAMES", "ID", "CREATED"];

    fn row(&self) -> Vec<String> {
        vec![
            self.names.join(","),
            self.id.clone(),
            self.created.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlavourView {
    pub id: String,
    pub name: String,
}

impl From<&pb::Flavour> for FlavourView {
    fn from(f: &pb::Flavour) -> Self {
        FlavourView { id: f.id.clone(), name: f.name.clone() }
    }
}

impl Tabular for FlavourView {
    const HEADERS: &'static [&'static str] = &["NAME", "ID"];

    fn row(&self) -> Vec<String> {
        vec![self.name.clone(), self.id.clone()]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfoView {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

impl From<&pb::Infos> for InfoView {
    fn from(i: &pb::Infos) -> Self {
        InfoView { kind: i.r#type.clone(), name: i.name.clone(), timestamp: rfc3339(i.timestamp) }
    }
}

impl Tabular for InfoView {
    const HEADERS: &'static [&'static str] = &["TYPE", "NAME", "TIMESTAMP"];

    fn row(&self) -> Vec<String> {
        vec![
            self.kind.clone(),
            self.name.clone(),
            self.timestamp.clone().unwrap_or_else(|| "-".into()),
        ]
    }
}

/// What `rm` and `network rm` removed: printed as a plain list of names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Removed(pub String);

impl Tabular for Removed {
    const HEADERS: &'static [&'static str] = &["REMOVED"];

    fn row(&self) -> Vec<String> {
        vec![self.0.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{render_list, render_one, Format};

    #[test]
    fn info_uses_the_protocol_key_type() {
        let info = pb::Infos { r#type: "docker".into(), name: "site-a".into(), timestamp: 0 };
        let yaml = render_one(Format::Yaml, &InfoView::from(&info)).unwrap();
        assert_eq!(yaml, "type: docker\nname: site-a\n");
    }

    #[test]
    fn removed_names_are_a_plain_list() {
        let removed = [Removed("a".into()), Removed("b".into())];
        assert_eq!(render_list(Format::Json, &removed).unwrap(), "[\n  \"a\",\n  \"b\"\n]\n");
        assert_eq!(render_list(Format::Yaml, &removed).unwrap(), "- a\n- b\n");
    }

    #[test]
    fn images_show_every_name() {
        let image = pb::Image {
            id: "sha256:a3".into(),
            names: vec!["a:1".into(), "a:latest".into()],
            created: 0,
        };
        assert_eq!(ImageView::from(&image).row(), vec!["a:1,a:latest", "sha256:a3", "-"]);
    }
}
