//! A VNF dependency, whose ends Open Baton has written both as `{"name": …}` (the form of the
//! thesis's NSD) and as a plain name (later releases).

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VNFDependency object")]
pub(crate) struct RawDependency {
    pub source: Option<RawVnfdRef>,
    pub target: Option<RawVnfdRef>,
    pub parameters: Option<Vec<String>>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "hb_version")]
    _hb_version: Option<IgnoredAny>,
    #[serde(rename = "hbVersion")]
    _hb_version_camel: Option<IgnoredAny>,
    #[serde(rename = "projectId")]
    _project_id: Option<IgnoredAny>,
    #[serde(rename = "shared")]
    _shared: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "source_id")]
    _source_id: Option<IgnoredAny>,
    #[serde(rename = "target_id")]
    _target_id: Option<IgnoredAny>,
}

/// What a VNFD's `requires` wants from one source VNFD (Open Baton's `RequiresParameters`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton RequiresParameters object")]
pub(crate) struct RawRequires {
    pub parameters: Option<Vec<String>>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
}

/// One end of a dependency, as written.
#[derive(Debug)]
pub(crate) enum RawVnfdRef {
    Name(String),
    Object(RawVnfdObject),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an Open Baton VirtualNetworkFunctionDescriptor object")]
pub(crate) struct RawVnfdObject {
    pub name: Option<String>,

    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "version")]
    _version: Option<IgnoredAny>,
    #[serde(rename = "hb_version")]
    _hb_version: Option<IgnoredAny>,
    #[serde(rename = "hbVersion")]
    _hb_version_camel: Option<IgnoredAny>,
    #[serde(rename = "projectId")]
    _project_id: Option<IgnoredAny>,
}

impl<'de> Deserialize<'de> for RawVnfdRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RefVisitor)
    }
}

struct RefVisitor;

impl<'de> Visitor<'de> for RefVisitor {
    type Value = RawVnfdRef;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a VNFD name or an object with a `name`")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<RawVnfdRef, E> {
        Ok(RawVnfdRef::Name(name.to_owned()))
    }

    // The map access handed in is the path-tracking one, so errors inside keep their path.
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawVnfdRef, A::Error> {
        RawVnfdObject::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(RawVnfdRef::Object)
    }
}
