//! Identifiers and times of the records.

pub use archipel_daemon::ids::{new_id, now, parse_rfc3339, rfc3339};

/// The first 8 characters of an identifier: what site-side names carry.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_are_the_first_eight_characters() {
        let id = new_id();
        assert_eq!(short(&id), &id[..8]);
        assert_eq!(short("abc"), "abc");
    }
}
