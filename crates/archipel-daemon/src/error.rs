//! Error messages for people: an error and its sources on one line.

/// The message of an error followed by those of its sources, joined by ": ".
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let next = s.to_string();
        // Some errors (of other crates) repeat their source's text; keep it once.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the store")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn joins_each_source_once() {
        let err = Outer(std::io::Error::other("disk full"));
        assert_eq!(chain(&err), "cannot open the store: disk full");
        let repeats = Outer(std::io::Error::other("cannot open the store"));
        assert_eq!(chain(&repeats), "cannot open the store");
    }
}
