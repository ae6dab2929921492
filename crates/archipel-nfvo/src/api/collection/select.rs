//! SOL013 §5.3 attribute selectors: `all_fields`, `fields`, `exclude_fields`,
//! `exclude_default`, applied to each item of a collection.

use serde_json::{Map, Value};

/// What to keep of each item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Everything: `all_fields`, or no selector at all.
    All,
    /// Everything but the resource's complex attributes that SOL005 leaves out by default.
    ExcludeDefault,
    /// The default set plus these (`fields`, with or without `exclude_default`).
    Fields(Vec<Vec<String>>),
    /// Everything but these (`exclude_fields`).
    ExcludeFields(Vec<Vec<String>>),
}

impl Selector {
    /// Paths in a `fields` or `exclude_fields` list, `a.b` or `a/b`.
    pub fn paths(list: &str) -> Result<Vec<Vec<String>>, String> {
        list.split(',')
            .map(|name| {
                let path: Vec<String> = name.trim().split(['.', '/']).map(str::to_owned).collect();
                match path.iter().any(String::is_empty) {
                    true => {
                        Err(format!("`{name}` is not an attribute path such as nsState or a.b"))
                    }
                    false => Ok(path),
                }
            })
            .collect()
    }

    /// The paths the selector names.
    pub fn named(&self) -> &[Vec<String>] {
        match self {
            Selector::Fields(paths) | Selector::ExcludeFields(paths) => paths,
            Selector::All | Selector::ExcludeDefault => &[],
        }
    }

    /// `item` as the selector keeps it; `defaults` are the attributes left out by default.
    pub fn apply(&self, item: Value, defaults: &[&str]) -> Value {
        let Value::Object(map) = item else { return item };
        let without_defaults = |map: &Map<String, Value>| {
            let mut kept = map.clone();
            kept.retain(|key, _| !defaults.contains(&key.as_str()));
            kept
        };
        Value::Object(match self {
            Selector::All => map,
            Selector::ExcludeDefault => without_defaults(&map),
            Selector::Fields(paths) => {
                let mut kept = without_defaults(&map);
                for path in paths {
                    copy(&map, &mut kept, path);
                }
                kept
            }
            Selector::ExcludeFields(paths) => {
                let mut kept = map;
                for path in paths {
                    remove(&mut kept, path);
                }
                kept
            }
        })
    }
}

/// Copies what is at `path` in `from` into `to`, making the objects on the way; an array on
/// the way is copied whole.
fn copy(from: &Map<String, Value>, to: &mut Map<String, Value>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else { return };
    let Some(value) = from.get(first) else { return };
    match (value, rest.is_empty()) {
        (Value::Object(inner), false) => {
            let slot = to.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(slot) = slot {
                copy(inner, slot, rest);
            }
        }
        _ => {
            to.insert(first.clone(), value.clone());
        }
    }
}

/// Removes what is at `path`, in every element of the arrays on the way.
fn remove(map: &mut Map<String, Value>, path: &[String]) {
    match path {
        [] => {}
        [last] => {
            map.remove(last);
        }
        [first, rest @ ..] => match map.get_mut(first) {
            Some(Value::Object(inner)) => remove(inner, rest),
            Some(Value::Array(items)) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        remove(inner, rest);
                    }
                }
            }
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn selectors_keep_what_sol013_says() {
        let item = json!({"id": "1", "name": "n", "vnfInstance": [{"id": "v", "x": 1}], "big": {"a": 1, "b": 2}});
        let defaults = ["vnfInstance", "big"];
        assert_eq!(Selector::All.apply(item.clone(), &defaults), item);
        assert_eq!(
            Selector::ExcludeDefault.apply(item.clone(), &defaults),
            json!({"id": "1", "name": "n"})
        );
        let fields = Selector::Fields(Selector::paths("big/a").unwrap());
        assert_eq!(
            fields.apply(item.clone(), &defaults),
            json!({"id": "1", "name": "n", "big": {"a": 1}})
        );
        let exclude = Selector::ExcludeFields(Selector::paths("name,vnfInstance.x").unwrap());
        assert_eq!(
            exclude.apply(item, &defaults),
            json!({"id": "1", "vnfInstance": [{"id": "v"}], "big": {"a": 1, "b": 2}})
        );
        assert!(Selector::paths("a,,b").is_err());
    }
}
