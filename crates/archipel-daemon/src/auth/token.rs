use rand::RngCore;
use sha2::{Digest, Sha256};

/// A bearer token: 256 random bits in hex, shown once to its holder.
pub fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// What a store keeps of a token: its SHA-256 in hex (a token is random, so no salt is needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Equality whose time depends on neither the contents nor the lengths: both sides are hashed
/// first, then every byte of the digests is compared.
pub fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_kept_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn compares_whole_secrets() {
        assert!(same("k3y", "k3y"));
        assert!(!same("k3", "k3y"));
        assert!(!same("", "k3y"));
    }
}
