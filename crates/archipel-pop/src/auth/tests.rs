use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::*;

fn auth_with(store: Arc<Store>, ttl: Duration) -> Auth {
    let throttle = LoginThrottle { base: Duration::from_millis(1), max: Duration::from_millis(4) };
    Auth::new(vec![cheap_user("admin", "s3cret"), cheap_user("ops", "other")], store, ttl, throttle)
        .unwrap()
}

fn peer() -> Option<IpAddr> {
    Some("192.0.2.7".parse().unwrap())
}

#[test]
fn hash_is_argon2id_and_never_the_password() {
    let user = cheap_user("admin", "s3cret");
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert!(!user.password_hash.contains("s3cret"));
    assert_ne!(cheap_user("admin", "s3cret").password_hash, user.password_hash, "salted");
    assert!(archipel_daemon::auth::verify_password("s3cret", &user.password_hash));
    assert!(!archipel_daemon::auth::verify_password("s3cret!", &user.password_hash));
}

#[test]
fn auth_env_parses_user_and_password() {
    assert!(matches!(User::from_auth_env("nobody"), Err(AuthError::BadAuthEnv)));
    assert!(matches!(User::from_auth_env(":pw"), Err(AuthError::BadAuthEnv)));
    assert!(matches!(User::from_auth_env("u:"), Err(AuthError::BadAuthEnv)));
}

#[test]
fn refuses_no_users_duplicates_and_bad_hashes() {
    let store = Arc::new(Store::in_memory().unwrap());
    let t = LoginThrottle::default();
    let ttl = Duration::from_secs(60);
    assert!(matches!(Auth::new(vec![], store.clone(), ttl, t), Err(AuthError::NoUsers)));
    let dup = vec![cheap_user("a", "x"), cheap_user("a", "y")];
    assert!(matches!(Auth::new(dup, store.clone(), ttl, t), Err(AuthError::DuplicateUser(_))));
    let bad = vec![User { name: "a".into(), password_hash: "clear".into() }];
    assert!(matches!(Auth::new(bad, store, ttl, t), Err(AuthError::BadHash { .. })));
}

#[tokio::test]
async fn wrong_user_and_wrong_password_answer_alike() {
    let auth = auth_with(Arc::new(Store::in_memory().unwrap()), Duration::from_secs(60));
    let wrong_pw = auth.login(peer(), "admin", "nope").await.unwrap_err();
    let wrong_user = auth.login(peer(), "nobody", "s3cret").await.unwrap_err();
    let other_users_pw = auth.login(peer(), "nobody", "other").await.unwrap_err();
    for err in [&wrong_user, &other_users_pw] {
        assert!(matches!(err, PopError::BadLogin));
        assert_eq!(err.to_string(), wrong_pw.to_string());
    }
}

#[tokio::test]
async fn login_check_logout() {
    let auth = auth_with(Arc::new(Store::in_memory().unwrap()), Duration::from_secs(60));
    let token = auth.login(peer(), "admin", "s3cret").await.unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(auth.check(&token).unwrap(), "admin");
    assert!(matches!(auth.check("deadbeef"), Err(PopError::UnknownSession)));
    auth.logout([token.as_str()]).unwrap();
    assert!(matches!(auth.check(&token), Err(PopError::UnknownSession)));
}

#[tokio::test]
async fn sessions_expire_and_survive_a_restart() {
    let store = Arc::new(Store::in_memory().unwrap());
    let auth = auth_with(store.clone(), Duration::from_secs(3600));
    let token = auth.login(peer(), "ops", "other").await.unwrap();
    let now = now_unix();
    assert_eq!(auth.check_at(&token, now + 3599).unwrap(), "ops");
    let restarted = auth_with(store.clone(), Duration::from_secs(3600));
    assert_eq!(restarted.check(&token).unwrap(), "ops");
    let err = restarted.check_at(&token, now + 3601).unwrap_err();
    assert!(err.to_string().contains("expired"));
    assert!(restarted.check(&token).is_err(), "an expired session is forgotten");

    let instant = auth_with(store, Duration::ZERO);
    let token = instant.login(peer(), "ops", "other").await.unwrap();
    assert!(instant.check(&token).is_err());
}

#[tokio::test]
async fn failed_logins_slow_down_the_user_at_the_peer_until_a_success() {
    let auth = auth_with(Arc::new(Store::in_memory().unwrap()), Duration::from_secs(3600));
    let ip = peer().unwrap();
    for _ in 0..3 {
        auth.login(peer(), "admin", "bad").await.unwrap_err();
    }
    assert!(auth.throttle.owed("admin", ip) > Duration::ZERO);
    let elsewhere: IpAddr = "192.0.2.8".parse().unwrap();
    assert_eq!(auth.throttle.owed("admin", elsewhere), Duration::ZERO);
    assert_eq!(auth.throttle.owed("ops", ip), Duration::ZERO, "another user is not slowed");
    auth.login(peer(), "admin", "s3cret").await.unwrap();
    assert_eq!(auth.throttle.owed("admin", ip), Duration::ZERO);
}
