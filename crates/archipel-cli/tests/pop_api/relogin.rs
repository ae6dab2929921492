//! The client logs in again by itself when popd no longer knows its token (the session
//! expired, or another client ended it with Logout), and the caller sees no error.

use archipel_testkit::PopdRuntime;
use std::time::Duration;

use archipel_pop_client::{Client, Credentials, Filter};

use crate::harness::Site;

fn client(site: &Site) -> Client {
    let (user, password) = site.popd.auth.split_once(':').unwrap();
    Client::new(Credentials {
        endpoint: site.popd.endpoint.clone(),
        username: user.into(),
        password: password.into(),
        ca: None,
    })
}

crate::on_both_runtimes!(an_expired_session_is_renewed_without_the_caller_noticing);

async fn an_expired_session_is_renewed_without_the_caller_noticing(rt: PopdRuntime) {
    let site = Site::new(rt, &["--session-ttl", "3"]);
    let c = client(&site);
    c.containers(&Filter::any()).await.expect("first call logs in");
    tokio::time::sleep(Duration::from_millis(4500)).await;
    c.containers(&Filter::any()).await.expect("the expired token is renewed transparently");
    // A new client for the same endpoint and user is cheap: it shares the renewed session.
    client(&site).info().await.expect("info");
}

crate::on_both_runtimes!(a_logout_by_another_client_is_invisible_to_this_one);

async fn a_logout_by_another_client_is_invisible_to_this_one(rt: PopdRuntime) {
    let site = Site::new(rt, &[]);
    let (a, b) = (client(&site), client(&site));
    a.containers(&Filter::any()).await.expect("a logs in");
    b.logout().await.expect("b ends the shared session");
    a.containers(&Filter::any()).await.expect("a logs in again by itself");
    a.images(&Filter::any()).await.expect("and keeps working");
}
