//! `/auth/v1/login` and `/auth/v1/logout`: login tokens.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use super::dto::{LoginRequest, LoginResponse};
use super::extract::JsonBody;
use super::guard::{bearer, Caller, Peer};
use super::problem::ApiError;
use super::responses::{BadRequest, PayloadTooLarge, Unauthorized, UnsupportedMediaType};
use crate::Nfvo;

/// Logs in: answers a bearer token that expires. Repeated failures for a user from one address
/// are answered later and later.
#[utoipa::path(
    post,
    operation_id = "login",
    path = "/auth/v1/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "logged in", body = LoginResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn login(
    State(nfvo): State<Nfvo>,
    Peer(peer): Peer,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let login = nfvo.login(&request.username, &request.password, peer).await?;
    Ok(Json(login.into()))
}

/// Forgets the login token the request carries.
#[utoipa::path(
    post,
    operation_id = "logout",
    path = "/auth/v1/logout",
    tag = "auth",
    responses((status = 204, description = "logged out"))
)]
pub async fn logout(
    State(nfvo): State<Nfvo>,
    Caller(_caller): Caller,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = bearer(&headers) {
        nfvo.logout(token)?;
    }
    Ok(StatusCode::NO_CONTENT)
}
