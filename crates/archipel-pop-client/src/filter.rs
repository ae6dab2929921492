//! Which container, image or network a call is about.

use std::fmt;

use archipel_proto::v1 as pb;

/// Selects the entities of a call.
///
/// [`Filter::name_or_id`] is for words typed by a user: the client tries the word as a name
/// first and, only if nothing has that name, as an id. A name therefore wins over an id that
/// happens to be spelled the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Any,
    Id(String),
    Name(String),
    NameOrId(String),
}

impl Filter {
    pub fn any() -> Self {
        Filter::Any
    }

    pub fn id(id: impl Into<String>) -> Self {
        Filter::Id(id.into())
    }

    pub fn name(name: impl Into<String>) -> Self {
        Filter::Name(name.into())
    }

    pub fn name_or_id(word: impl Into<String>) -> Self {
        Filter::NameOrId(word.into())
    }

    /// The protocol filters to try, in order.
    pub(crate) fn attempts(&self) -> Vec<pb::Filter> {
        use pb::filter::Options;
        let one = |options| pb::Filter { options: Some(options) };
        match self {
            Filter::Any => vec![pb::Filter { options: None }],
            Filter::Id(id) => vec![one(Options::Id(id.clone()))],
            Filter::Name(name) => vec![one(Options::Name(name.clone()))],
            Filter::NameOrId(word) => {
                vec![one(Options::Name(word.clone())), one(Options::Id(word.clone()))]
            }
        }
    }

    /// The same attempts as [`Filter::attempts`], for the network calls.
    pub(crate) fn network_attempts(&self) -> Vec<pb::NetworkFilter> {
        use pb::network_filter::Options;
        self.attempts()
            .into_iter()
            .map(|filter| pb::NetworkFilter {
                options: filter.options.map(|options| match options {
                    pb::filter::Options::Id(id) => Options::Id(id),
                    pb::filter::Options::Name(name) => Options::Name(name),
                }),
            })
            .collect()
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Any => f.write_str("any"),
            Filter::Id(id) => write!(f, "id {id}"),
            Filter::Name(name) | Filter::NameOrId(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::filter::Options;

    #[test]
    fn name_or_id_tries_the_name_first() {
        let attempts = Filter::name_or_id("web").attempts();
        let options: Vec<_> = attempts.into_iter().map(|f| f.options).collect();
        assert_eq!(
            options,
            vec![Some(Options::Name("web".into())), Some(Options::Id("web".into()))]
        );
    }

    #[test]
    fn any_sends_an_empty_filter() {
        assert_eq!(Filter::any().attempts(), vec![pb::Filter { options: None }]);
        assert_eq!(Filter::any().network_attempts(), vec![pb::NetworkFilter { options: None }]);
    }

    #[test]
    fn network_filters_keep_the_kind() {
        let attempts = Filter::id("n1").network_attempts();
        assert_eq!(attempts[0].options, Some(pb::network_filter::Options::Id("n1".into())));
    }
}
