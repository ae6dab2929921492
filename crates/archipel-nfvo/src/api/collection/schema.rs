//! Whether an attribute path names an attribute of a resource, read from the OpenAPI document
//! (so a filter or selector on an unknown attribute is refused, as SOL013 asks).

use std::sync::OnceLock;

use serde_json::Value;

/// How deep `$ref`s are followed: the document's schemas are not recursive, this only bounds a
/// mistake.
const MAX_DEPTH: usize = 32;

fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::to_value(super::super::openapi()).expect("the document is JSON")
    })
}

/// What the document says of an attribute path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Unknown,
    /// Every instance has it: a selector may not leave it out.
    Mandatory,
    Optional,
}

/// What `path` names in the document's schema `schema` (an attribute within a free-form
/// object, such as `userDefinedData`, is optional).
pub fn attribute(schema: &str, path: &[String]) -> Attribute {
    let doc = document();
    walk(doc, &doc["components"]["schemas"][schema], path, 0)
}

fn walk(doc: &Value, schema: &Value, path: &[String], depth: usize) -> Attribute {
    if depth > MAX_DEPTH || schema.is_null() {
        return Attribute::Unknown;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return walk(doc, &doc["components"]["schemas"][name], path, depth + 1);
    }
    for composite in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(composite).and_then(Value::as_array) {
            let found = parts.iter().map(|part| walk(doc, part, path, depth + 1));
            return found.max_by_key(|a| *a as u8).unwrap_or(Attribute::Unknown);
        }
    }
    let Some((first, rest)) = path.split_first() else { return Attribute::Mandatory };
    if let Some(items) = schema.get("items") {
        return walk(doc, items, path, depth + 1);
    }
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return if free_form(schema) { Attribute::Optional } else { Attribute::Unknown };
    };
    let Some(property) = properties.get(first) else { return Attribute::Unknown };
    let required = schema["required"].as_array().is_some_and(|r| r.iter().any(|n| n == first));
    match (walk(doc, property, rest, depth + 1), rest.is_empty()) {
        (Attribute::Unknown, _) => Attribute::Unknown,
        (_, true) if !required => Attribute::Optional,
        (found, _) => found,
    }
}

/// An object whose keys no schema names.
fn free_form(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "object",
        Value::Array(types) => types.iter().any(|t| t == "object"),
        _ => schema.get("additionalProperties").is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<String> {
        text.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn the_document_says_which_attributes_exist() {
        use Attribute::*;
        assert_eq!(attribute("NsInstance", &path("nsState")), Mandatory);
        assert_eq!(attribute("NsInstance", &path("vnfInstance")), Optional);
        assert_eq!(
            attribute("NsInstance", &path("vnfInstance.vnfProductName")),
            Mandatory,
            "through an array, into an item that always has it"
        );
        assert_eq!(attribute("NsdInfo", &path("userDefinedData.anything")), Optional);
        assert_eq!(attribute("NsInstance", &path("weight")), Unknown);
        assert_eq!(attribute("NsInstance", &path("nsState.deeper")), Unknown, "a string");
        assert_eq!(attribute("NoSuchSchema", &path("id")), Unknown);
    }
}
