//! Paths into a descriptor, written the way `serde_path_to_error` writes them
//! (`vnfd[1].vdu[0].vm_image`, `.` for the document itself), so that schema, syntax and
//! validation errors read alike.

use std::fmt;

use serde_path_to_error::Segment;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Path(String);

impl Path {
    pub(crate) fn root() -> Self {
        Self::default()
    }

    /// A path as [`Path`]'s `Display` wrote it.
    pub(crate) fn declared(text: &str) -> Self {
        if text == "." {
            Self::root()
        } else {
            Self(text.to_owned())
        }
    }

    pub(crate) fn field(&self, name: &str) -> Self {
        if self.0.is_empty() {
            Self(name.to_owned())
        } else {
            Self(format!("{}.{name}", self.0))
        }
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// The path `serde_path_to_error` tracked, up to its first segment it could not name (a key
    /// the parser failed to read, for a syntax error).
    pub(crate) fn tracked(path: &serde_path_to_error::Path) -> Self {
        let mut tracked = Self::root();
        for segment in path {
            tracked = match segment {
                Segment::Seq { index } => tracked.index(*index),
                Segment::Map { key } => tracked.field(key),
                Segment::Enum { variant } => tracked.field(variant),
                Segment::Unknown => break,
            };
        }
        tracked
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

impl From<Path> for String {
    fn from(path: Path) -> Self {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Path;

    #[test]
    fn renders_like_serde_path_to_error() {
        let path = Path::root().field("vnfd").index(1).field("vdu").index(0).field("vm_image");
        assert_eq!(path.to_string(), "vnfd[1].vdu[0].vm_image");
        assert_eq!(Path::root().field("name").to_string(), "name");
        assert_eq!(Path::root().to_string(), ".");
    }
}
