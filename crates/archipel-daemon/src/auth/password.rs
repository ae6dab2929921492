use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::AuthError;

/// An argon2id PHC string of the password (default parameters), with a fresh random salt; the
/// clear text is not kept.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    hash_with(&Argon2::default(), password)
}

/// The same with the cheapest parameters argon2 allows: for tests that check behaviour, not cost.
pub fn hash_password_cheaply(password: &str) -> Result<String, AuthError> {
    let params = Params::new(64, 1, 1, None).map_err(|e| AuthError::Hash(e.into()))?;
    hash_with(&Argon2::new(Algorithm::Argon2id, Version::V0x13, params), password)
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> Result<String, AuthError> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(AuthError::Hash)?;
    argon.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AuthError::Hash)
}

/// Whether `phc` is a PHC string a login can be verified against.
pub fn check_phc(phc: &str) -> Result<(), AuthError> {
    PasswordHash::new(phc).map(|_| ()).map_err(AuthError::NotPhc)
}

/// Whether the password matches the PHC string; the parameters come from the string. It takes
/// tens of milliseconds of CPU on purpose: call it off the async workers (`spawn_blocking`).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_salted_argon2id_and_never_the_password() {
        let hash = hash_password_cheaply("s3cret").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("s3cret"));
        assert_ne!(hash_password_cheaply("s3cret").unwrap(), hash, "salted");
        assert!(verify_password("s3cret", &hash));
        assert!(!verify_password("s3cret!", &hash));
        assert!(!verify_password("s3cret", "clear"));
        check_phc(&hash).unwrap();
        assert!(check_phc("clear").is_err());
    }
}
