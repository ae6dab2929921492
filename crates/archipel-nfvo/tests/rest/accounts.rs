//! Users and API keys through the API: roles are capped, keys are shown once and revocable,
//! the last admin stays, a removed user's credentials stop working.

use serde_json::json;

use crate::harness::{problem, Api};

async fn user(api: &Api, name: &str, role: &str) -> String {
    let password = format!("{name}-password");
    let added = api
        .post_json("/auth/v1/users", &json!({"username": name, "password": password, "role": role}))
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert!(added.body.get("password").is_none() && added.body.get("passwordHash").is_none());
    api.client.login(name, &password).await.unwrap().token
}

async fn post_as(
    api: &Api,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> crate::harness::Answer {
    let bytes = serde_json::to_vec(&body).unwrap();
    api.call_as(Some(token), "POST", path, Some("application/json"), bytes).await
}

#[tokio::test]
async fn api_keys_are_capped_shown_once_and_revocable() {
    let api = Api::start(&[]).await;
    let reader = user(&api, "rita", "reader").await;
    let operator = user(&api, "otto", "operator").await;

    let too_high =
        post_as(&api, &operator, "/auth/v1/api_keys", json!({"name": "k", "role": "admin"})).await;
    problem(&too_high, 403);
    let others =
        post_as(&api, &reader, "/auth/v1/api_keys", json!({"name": "k", "username": "otto"})).await;
    problem(&others, 403);

    let made = post_as(&api, &operator, "/auth/v1/api_keys", json!({"name": "ci"})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["role"], "operator", "the creator's role by default");
    let key = made.body["key"].as_str().unwrap().to_owned();
    let id = made.body["id"].as_str().unwrap().to_owned();
    // The key acts as its user: it may launch, not add sites.
    let listed = api.call_as(Some(&key), "GET", "/auth/v1/api_keys", None, Vec::new()).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "a user sees their own keys");
    assert!(listed.body[0].get("key").is_none(), "the secret is shown once only");
    let site = post_as(&api, &key, "/sites", json!({})).await;
    problem(&site, 403);
    // An admin's key for another user, at most that user's role.
    let for_rita =
        api.post_json("/auth/v1/api_keys", &json!({"name": "r", "username": "rita"})).await;
    assert_eq!(for_rita.body["role"], "reader", "{}", for_rita.body);

    // Another user's key is "not found" to a non-admin; its owner revokes it.
    let path = format!("/auth/v1/api_keys/{id}");
    problem(&api.call_as(Some(&reader), "DELETE", &path, None, Vec::new()).await, 404);
    assert_eq!(api.call_as(Some(&operator), "DELETE", &path, None, Vec::new()).await.status, 204);
    problem(&api.call_as(Some(&key), "GET", "/nslcm/v1/ns_instances", None, Vec::new()).await, 401);
}

#[tokio::test]
async fn the_last_admin_stays_and_a_removed_user_is_locked_out() {
    let api = Api::start(&[]).await;
    let operator = user(&api, "otto", "operator").await;
    let gone = api.call("DELETE", "/auth/v1/users/admin", None, Vec::new()).await;
    assert!(problem(&gone, 409)["detail"].as_str().unwrap().contains("last admin"));
    let removed = api.call("DELETE", "/auth/v1/users/otto", None, Vec::new()).await;
    assert_eq!(removed.status, 204);
    let after =
        api.call_as(Some(&operator), "GET", "/nslcm/v1/ns_instances", None, Vec::new()).await;
    let refused = problem(&after, 401);
    assert_eq!(after.www_authenticate.as_deref(), Some("Bearer"));
    assert!(refused["detail"].as_str().unwrap().contains("archipel login"), "{refused}");
    let users = api.get("/auth/v1/users").await;
    assert_eq!(users.body.as_array().unwrap().len(), 1);
    // A wrong password and an unknown user are refused alike.
    let wrong =
        api.post_json("/auth/v1/login", &json!({"username": "admin", "password": "nope"})).await;
    let unknown =
        api.post_json("/auth/v1/login", &json!({"username": "ghost", "password": "nope"})).await;
    assert_eq!(problem(&wrong, 401)["detail"], problem(&unknown, 401)["detail"]);
    let bad_name =
        api.post_json("/auth/v1/login", &json!({"username": "a\nb", "password": "x"})).await;
    problem(&bad_name, 400);
}
