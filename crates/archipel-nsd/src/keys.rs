//! Keys given twice in one object, read the way Open Baton's Gson does with one difference.
//!
//! Gson keeps the last of duplicated keys, and many real descriptors repeat a key (`"type"`
//! most often) with the same value. Archipel accepts a repetition with an equal value, and
//! refuses one with a different value, naming the key's path: a silent last-wins would hide the
//! mistake. The document is read once into a tree that keeps every key, checked, then handed
//! on as a `Value` that the typed parser reads.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::error::{CatalogueError, Violation};
use super::path::Path;

/// A JSON value whose objects keep every key, repeated ones included, in document order.
#[derive(Debug, PartialEq)]
pub(crate) enum Node {
    Scalar(Value),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The value, a repeated key kept once; a key repeated with another value is refused.
    pub(crate) fn into_value(self, path: &Path) -> Result<Value, CatalogueError> {
        match self {
            Self::Scalar(v) => Ok(v),
            Self::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| item.into_value(&path.index(i)))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Self::Object(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (key, node) in entries {
                    let here = path.field(&key);
                    let value = node.into_value(&here)?;
                    match map.get(&key) {
                        Some(first) if *first != value => {
                            return Err(CatalogueError::invalid(
                                here,
                                Violation::DuplicateKey { key },
                            ));
                        }
                        Some(_) => {}
                        None => {
                            map.insert(key, value);
                        }
                    }
                }
                Ok(Value::Object(map))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Value, CatalogueError> {
        let node: Node = serde_json::from_str(json).unwrap();
        node.into_value(&Path::root())
    }

    #[test]
    fn a_key_repeated_with_the_same_value_is_kept_once() {
        let v = read(r#"{"a": {"type": "x", "n": 1, "type": "x"}, "l": [{"k": [1], "k": [1]}]}"#);
        assert_eq!(v.unwrap(), serde_json::json!({"a": {"type": "x", "n": 1}, "l": [{"k": [1]}]}));
    }

    #[test]
    fn a_key_repeated_with_another_value_is_refused_with_its_path() {
        let err = read(r#"{"vnfd": [{"name": "a"}, {"type": "x", "type": "y"}]}"#).unwrap_err();
        assert_eq!(err.path(), "vnfd[1].type");
        assert!(err.to_string().contains("different value"), "{err}");
    }
}
