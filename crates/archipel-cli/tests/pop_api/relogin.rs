//! The client logs in again by itself when popd no longer knows its token (the session
//! expired, or another client ended it with Logout), and the caller sees no error.

use std::time::Duration;

use archipel_pop_client::{Client, Credentials, Filter};

use crate::harness::Site;

fn client(site: &Site) -> Client {
    let (user, password) = site.popd.auth.split_once(':').unwrap();
    Client::new(Credentials {
        endpoint: site.popd.endpoint.clone(),
        username: user.into(),
        password: password.into(),
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_session_is_renewed_without_the_caller_noticing() {
    let site = Site::docker(&["--session-ttl", "1"]);
    let c = client(&site);
    c.containers(&Filter::any()).await.expect("first call logs in");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    c.containers(&Filter::any()).await.expect("the expired token is renewed transparently");
    // A new client for the same endpoint and user is cheap: it shares the renewed session.
    client(&site).info().await.expect("info");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logout_by_another_client_is_invisible_to_this_one() {
    let site = Site::docker(&[]);
    let (a, b) = (client(&site), client(&site));
    a.containers(&Filter::any()).await.expect("a logs in");
    b.logout().await.expect("b ends the shared session");
    a.containers(&Filter::any()).await.expect("a logs in again by itself");
    a.images(&Filter::any()).await.expect("and keeps working");
}
