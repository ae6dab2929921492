//! ARCHITECTURE.md's crate table says which workspace crates each crate depends on; this test
//! holds it to the Cargo.toml files, so the picture cannot drift from the build.
#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every workspace package: its short name (`pop` for `archipel-pop`) and manifest.
fn packages() -> Vec<(String, PathBuf)> {
    let mut out = vec![("bench".to_owned(), root().join("bench/Cargo.toml"))];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let short = name.strip_prefix("archipel-").unwrap_or(&name).to_owned();
        out.push((short, dir.join("Cargo.toml")));
    }
    out
}

/// The workspace crates in a manifest's `[dependencies]` (not dev or build ones).
fn manifest_deps(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_deps = false;
    let mut deps = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
        } else if in_deps {
            if let Some(rest) = line.strip_prefix("archipel-") {
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
                deps.insert(name);
            }
        }
    }
    deps
}

/// Each row of the table: the crate's short name and the workspace crates its last column names.
fn table(shorts: &BTreeSet<String>) -> Vec<(String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let section = text.split("\n## Crates\n").nth(1).expect("a ## Crates section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
            let name = cells[0].trim().trim_matches('`');
            let short = name.strip_prefix("archipel-").unwrap_or(name).to_owned();
            let named = cells[cells.len() - 1]
                .split(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .filter(|word| shorts.contains(*word))
                .map(str::to_owned)
                .collect();
            (short, named)
        })
        .collect()
}

#[test]
fn the_crate_table_matches_the_manifests() {
    let packages = packages();
    let shorts: BTreeSet<String> = packages.iter().map(|(s, _)| s.clone()).collect();
    let rows = table(&shorts);
    let listed: BTreeSet<String> = rows.iter().map(|(s, _)| s.clone()).collect();
    assert_eq!(listed, shorts, "every workspace crate has one row in ARCHITECTURE.md");
    for (short, named) in rows {
        let (_, manifest) = packages.iter().find(|(s, _)| *s == short).unwrap();
        assert_eq!(
            named,
            manifest_deps(manifest),
            "ARCHITECTURE.md's row of {short} names other workspace crates than {}",
            manifest.display()
        );
    }
}
