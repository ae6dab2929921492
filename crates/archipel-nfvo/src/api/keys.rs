//! `/auth/v1/api_keys`: credentials for automation. Every user manages their own; an admin
//! manages everyone's.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::dto::{ApiKeyCreated, ApiKeyInfo, ApiKeyRequest};
use super::extract::JsonBody;
use super::guard::Caller;
use super::problem::ApiError;
use super::responses::{BadRequest, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType};
use crate::Nfvo;

/// Makes an API key; the answer is the only time its secret is shown.
#[utoipa::path(
    post,
    operation_id = "createApiKey",
    path = "/auth/v1/api_keys",
    tag = "auth",
    request_body = ApiKeyRequest,
    responses(
        (status = 201, description = "made", body = ApiKeyCreated,
         headers(("Location" = String, description = "the key's URL"))),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn create(
    State(nfvo): State<Nfvo>,
    Caller(caller): Caller,
    JsonBody(request): JsonBody<ApiKeyRequest>,
) -> Result<Response, ApiError> {
    let role = request.role.map(Into::into);
    let new = nfvo.create_api_key(&caller, &request.name, request.username.as_deref(), role)?;
    let created = ApiKeyCreated::from(new);
    let location = format!("/auth/v1/api_keys/{}", created.info.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(created)).into_response())
}

/// The caller's API keys (every user's for an admin), oldest first.
#[utoipa::path(
    get,
    operation_id = "listApiKeys",
    path = "/auth/v1/api_keys",
    tag = "auth",
    responses((status = 200, description = "the keys, without their secrets", body = [ApiKeyInfo]))
)]
pub async fn list(
    State(nfvo): State<Nfvo>,
    Caller(caller): Caller,
) -> Result<Json<Vec<ApiKeyInfo>>, ApiError> {
    Ok(Json(nfvo.api_keys(&caller)?.into_iter().map(ApiKeyInfo::from).collect()))
}

/// Revokes an API key.
#[utoipa::path(
    delete,
    operation_id = "revokeApiKey",
    path = "/auth/v1/api_keys/{id}",
    tag = "auth",
    params(("id" = String, Path, description = "the key's id")),
    responses((status = 204, description = "revoked"), (status = 404, response = NotFound))
)]
pub async fn revoke(
    State(nfvo): State<Nfvo>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.revoke_api_key(&caller, &id)?;
    Ok(StatusCode::NO_CONTENT)
}
