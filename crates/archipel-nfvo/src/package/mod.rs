//! VNF packages in Open Baton's format: a plain tar holding `Metadata.yaml` (the package's
//! `name`, and fields Archipel does not act on), the VNFD (`vnfd.json`, kept as it is) and a
//! `scripts/` folder whose files the generic VNFM runs at the VNFD's lifecycle events. A local
//! directory laid out the same way reads as the same package.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The largest package the API takes.
pub const PACKAGE_LIMIT: usize = 8 * 1024 * 1024;
/// The largest script: the Pop's Exec takes at most 64 arguments of 4 KiB, of which the
/// script may fill 62.
pub const SCRIPT_LIMIT: usize = 62 * 4096;
/// The most scripts a package may hold.
pub const SCRIPTS_MAX: usize = 256;

pub const METADATA: &str = "Metadata.yaml";
pub const VNFD: &str = "vnfd.json";
pub const SCRIPTS: &str = "scripts";

/// What a package holds that Archipel acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `Metadata.yaml`'s `name`.
    pub name: String,
    /// The files of `scripts/`, by file name.
    pub scripts: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Error)]
pub enum PackageError {
    #[error(
        "the package is not a tar archive (an Open Baton package is made with `tar -cf \
         package.tar Metadata.yaml vnfd.json scripts/`)"
    )]
    NotTar(#[source] std::io::Error),
    #[error("the package has no {METADATA}")]
    NoMetadata,
    #[error("{METADATA} is not valid: it needs at least `name: <package name>`")]
    BadMetadata(#[source] serde_yaml::Error),
    #[error("{VNFD} is not a JSON object")]
    BadVnfd(#[source] serde_json::Error),
    #[error("the entry `{0}` leaves the package (an absolute path or `..`)")]
    Escapes(String),
    #[error("`{0}` is a folder inside scripts/: scripts are the folder's files")]
    NestedScript(String),
    #[error("the script `{name}` is {bytes} bytes, over the {SCRIPT_LIMIT} a script may hold")]
    ScriptTooLarge { name: String, bytes: usize },
    #[error("the package holds more than {SCRIPTS_MAX} scripts")]
    TooManyScripts,
    #[error("the package is larger than {PACKAGE_LIMIT} bytes")]
    TooLarge,
    #[error("cannot read {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
struct Metadata {
    name: String,
}

/// Reads an Open Baton package from its tar archive.
pub fn parse(archive: &[u8]) -> Result<Package, PackageError> {
    if archive.len() > PACKAGE_LIMIT {
        return Err(PackageError::TooLarge);
    }
    let mut files = Files::default();
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().map_err(PackageError::NotTar)? {
        let mut entry = entry.map_err(PackageError::NotTar)?;
        let kind = entry.header().entry_type();
        let path = entry.path().map_err(PackageError::NotTar)?.into_owned();
        let path = relative(&path)?;
        if kind.is_dir() {
            files.folder(&path)?;
        } else if kind.is_file() {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).map_err(PackageError::NotTar)?;
            files.file(&path, content)?;
        }
    }
    files.package()
}

/// Reads a package from a local path: its tar archive, or a directory laid out as one.
pub fn read(path: &Path) -> Result<Package, PackageError> {
    let io = |source| PackageError::Read { path: path.to_owned(), source };
    if !path.is_dir() {
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > PACKAGE_LIMIT as u64 {
            return Err(PackageError::TooLarge);
        }
        return parse(&std::fs::read(path).map_err(io)?);
    }
    let mut files = Files::default();
    for name in [METADATA, VNFD] {
        match std::fs::read(path.join(name)) {
            Ok(content) => files.file(Path::new(name), content)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    let scripts = path.join(SCRIPTS);
    if scripts.is_dir() {
        for entry in std::fs::read_dir(&scripts).map_err(io)? {
            let entry = entry.map_err(io)?;
            let file = entry.path();
            if file.is_file() {
                let content = std::fs::read(&file).map_err(io)?;
                files.file(&Path::new(SCRIPTS).join(entry.file_name()), content)?;
            }
        }
    }
    files.package()
}

/// The content of the regular file at `path` in a package's tar (an artifact, or the VNFD);
/// `None` when it holds no such file. `path` is read as an entry's is (`./` dropped).
pub fn file(archive: &[u8], path: &str) -> Option<Vec<u8>> {
    let wanted = relative(Path::new(path)).ok()?;
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().ok()? {
        let mut entry = entry.ok()?;
        let here = entry.path().ok().and_then(|p| relative(&p).ok());
        if entry.header().entry_type().is_file() && here.as_ref() == Some(&wanted) {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).ok()?;
            return Some(content);
        }
    }
    None
}

/// An entry's path inside the package, `./` removed; refused if it leaves the package.
fn relative(path: &Path) -> Result<PathBuf, PackageError> {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return Err(PackageError::Escapes(path.display().to_string())),
        }
    }
    Ok(clean)
}

#[derive(Debug, Default)]
struct Files {
    metadata: Option<Vec<u8>>,
    scripts: BTreeMap<String, Vec<u8>>,
    size: usize,
}

impl Files {
    fn folder(&self, path: &Path) -> Result<(), PackageError> {
        match path.strip_prefix(SCRIPTS) {
            Ok(rest) if rest.as_os_str().is_empty() => Ok(()),
            Ok(_) => Err(PackageError::NestedScript(path.display().to_string())),
            Err(_) => Ok(()),
        }
    }

    fn file(&mut self, path: &Path, content: Vec<u8>) -> Result<(), PackageError> {
        self.size += content.len();
        if self.size > PACKAGE_LIMIT {
            return Err(PackageError::TooLarge);
        }
        if path == Path::new(METADATA) {
            self.metadata = Some(content);
        } else if path == Path::new(VNFD) {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&content)
                .map_err(PackageError::BadVnfd)?;
        } else if let Ok(rest) = path.strip_prefix(SCRIPTS) {
            let name = rest.display().to_string();
            if rest.components().count() != 1 {
                return Err(PackageError::NestedScript(path.display().to_string()));
            }
            if content.len() > SCRIPT_LIMIT {
                return Err(PackageError::ScriptTooLarge { name, bytes: content.len() });
            }
            if self.scripts.len() == SCRIPTS_MAX {
                return Err(PackageError::TooManyScripts);
            }
            self.scripts.insert(name, content);
        }
        Ok(())
    }

    fn package(self) -> Result<Package, PackageError> {
        let metadata = self.metadata.ok_or(PackageError::NoMetadata)?;
        let metadata: Metadata =
            serde_yaml::from_slice(&metadata).map_err(PackageError::BadMetadata)?;
        Ok(Package { name: metadata.name, scripts: self.scripts })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tar of `files` (path, content), as `tar -cf` makes it.
    pub(crate) fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, content) in files {
            let mut header = tar::Header::new_ustar();
            header.set_size(content.len() as u64);
            header.set_mode(0o755);
            header.set_cksum();
            builder.append_data(&mut header, path, *content).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn an_open_baton_package_reads_with_its_scripts() {
        let tar = tar_of(&[
            ("Metadata.yaml", b"name: iperf-server\nprovider: TUBS\nnfvo_version: 5.2.0\n"),
            ("vnfd.json", b"{\"name\": \"iperf-server\"}"),
            ("./scripts/configure.sh", b"echo $server_private > /tmp/x\n"),
            ("scripts/start.sh", b"exit 0\n"),
        ]);
        let package = parse(&tar).unwrap();
        assert_eq!(package.name, "iperf-server");
        let names: Vec<&str> = package.scripts.keys().map(String::as_str).collect();
        assert_eq!(names, ["configure.sh", "start.sh"]);
    }

    #[test]
    fn bad_packages_are_refused_by_what_is_wrong() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![b'x'; 1024], "not a tar"),
            (tar_of(&[("scripts/a.sh", b"x")]), "no Metadata.yaml"),
            (tar_of(&[("Metadata.yaml", b"provider: x\n")]), "needs at least `name"),
            (tar_of(&[("Metadata.yaml", b"name: x\n"), ("vnfd.json", b"[1]")]), "not a JSON"),
            (
                tar_of(&[("Metadata.yaml", b"name: x\n"), ("scripts/d/a.sh", b"x")]),
                "folder inside scripts",
            ),
            (
                tar_of(&[
                    ("Metadata.yaml", b"name: x\n"),
                    ("scripts/a.sh", &[b'x'; SCRIPT_LIMIT + 1]),
                ]),
                "over the",
            ),
        ];
        for (tar, expected) in cases {
            let err = parse(&tar).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} lacks {expected}");
        }
    }

    #[test]
    fn a_file_of_the_package_is_found_by_its_path() {
        let tar = tar_of(&[("Metadata.yaml", b"name: x\n"), ("./scripts/start.sh", b"exit 0\n")]);
        assert_eq!(file(&tar, "scripts/start.sh").unwrap(), b"exit 0\n");
        assert_eq!(file(&tar, "./scripts/start.sh").unwrap(), b"exit 0\n");
        assert!(file(&tar, "scripts/stop.sh").is_none());
        assert!(file(&tar, "../etc/passwd").is_none());
        assert!(file(&tar, "scripts").is_none(), "a folder is no file");
    }

    #[test]
    fn a_directory_reads_as_its_package() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Metadata.yaml"), "name: d\n").unwrap();
        std::fs::create_dir(dir.path().join("scripts")).unwrap();
        std::fs::write(dir.path().join("scripts/s.sh"), "true\n").unwrap();
        let package = read(dir.path()).unwrap();
        assert_eq!(package.name, "d");
        assert_eq!(package.scripts["s.sh"], b"true\n");
    }
}
