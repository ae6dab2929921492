//! How results are printed: YAML (the thesis's `pop`), JSON, or an aligned table.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Yaml,
    Json,
    Table,
}

/// A view that also knows its table columns.
pub trait Tabular: Serialize {
    const HEADERS: &'static [&'static str];
    fn row(&self) -> Vec<String>;
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot render YAML")]
    Yaml(#[source] serde_yaml::Error),
    #[error("cannot render JSON")]
    Json(#[source] serde_json::Error),
    #[error("cannot write to stdout")]
    Write(#[source] std::io::Error),
}

/// One object.
pub fn render_one<T: Tabular>(format: Format, item: &T) -> Result<String, OutputError> {
    match format {
        Format::Table => Ok(table(T::HEADERS, &[item.row()])),
        _ => render_document(format, item),
    }
}

/// A list: a YAML sequence (`[]` when empty), a JSON array, or a table.
pub fn render_list<T: Tabular>(format: Format, items: &[T]) -> Result<String, OutputError> {
    match format {
        Format::Table => {
            let rows: Vec<_> = items.iter().map(Tabular::row).collect();
            Ok(table(T::HEADERS, &rows))
        }
        _ => render_document(format, &items),
    }
}

/// YAML or JSON of any value; a table falls back to YAML.
pub fn render_document<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
) -> Result<String, OutputError> {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(OutputError::Json)
        }
        Format::Yaml | Format::Table => serde_yaml::to_string(value).map_err(OutputError::Yaml),
    }
}

/// Aligned columns separated by two spaces, headers first.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Unix seconds as RFC 3339 UTC; None for 0 (never).
pub fn rfc3339(secs: i64) -> Option<String> {
    if secs == 0 {
        return None;
    }
    let formatted = time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
    Some(formatted.unwrap_or_else(|| secs.to_string()))
}

/// `text` as a YAML scalar: plain, as the thesis's `pop md get` prints values (`SIPP_RATE: 10`),
/// unless that would break the line's YAML structure; double-quoted then.
pub fn yaml_scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.trim() == text
        && !text.contains([':', '#', '\n', '\r', '\t', '"', '\''])
        && !text.starts_with([
            '-', '?', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`',
        ]);
    if plain {
        text.to_string()
    } else {
        serde_json::Value::from(text).to_string()
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn emit(out: impl AsRef<[u8]>) -> Result<(), OutputError> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_ref()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(OutputError::Write(err)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        name: &'static str,
        size: u32,
    }

    impl Tabular for Item {
        const HEADERS: &'static [&'static str] = &["NAME", "SIZE"];
        fn row(&self) -> Vec<String> {
            vec![self.name.to_string(), self.size.to_string()]
        }
    }

    #[test]
    fn tables_align_columns() {
        let items = [Item { name: "a-long-name", size: 1 }, Item { name: "b", size: 1500 }];
        let text = render_list(Format::Table, &items).unwrap();
        assert_eq!(text, "NAME         SIZE\na-long-name  1\nb            1500\n");
    }

    #[test]
    fn empty_lists_are_an_empty_yaml_sequence_and_json_array() {
        let none: [Item; 0] = [];
        assert_eq!(render_list(Format::Yaml, &none).unwrap(), "[]\n");
        assert_eq!(render_list(Format::Json, &none).unwrap(), "[]\n");
        assert_eq!(render_list(Format::Table, &none).unwrap(), "NAME  SIZE\n");
    }

    #[test]
    fn one_item_renders_as_a_mapping() {
        let item = Item { name: "web", size: 2 };
        assert_eq!(render_one(Format::Yaml, &item).unwrap(), "name: web\nsize: 2\n");
        let json: serde_json::Value =
            serde_json::from_str(&render_one(Format::Json, &item).unwrap()).unwrap();
        assert_eq!(json, serde_json::json!({"name": "web", "size": 2}));
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(1488542552).as_deref(), Some("2017-03-03T12:02:32Z"));
        assert_eq!(rfc3339(0), None);
    }

    #[test]
    fn yaml_scalars_are_plain_when_safe() {
        assert_eq!(yaml_scalar("172.16.0.2"), "172.16.0.2");
        assert_eq!(yaml_scalar("10"), "10");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
        assert_eq!(yaml_scalar(" lead"), "\" lead\"");
        assert_eq!(yaml_scalar("line\nbreak"), "\"line\\nbreak\"");
    }
}
