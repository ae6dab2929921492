//! `/auth/v1/users`: the API's users, for admins.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::dto::{UserInfo, UserRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{BadRequest, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType};
use crate::Nfvo;

/// Adds a user with a role.
#[utoipa::path(
    post,
    operation_id = "addUser",
    path = "/auth/v1/users",
    tag = "auth",
    request_body = UserRequest,
    responses(
        (status = 201, description = "added", body = UserInfo,
         headers(("Location" = String, description = "the user's URL"))),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn add(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<UserRequest>,
) -> Result<Response, ApiError> {
    let user = nfvo.add_user(&request.username, &request.password, request.role.into()).await?;
    let info = UserInfo::from(user);
    let location = format!("/auth/v1/users/{}", info.username);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(info)).into_response())
}

/// Every user, by name.
#[utoipa::path(
    get,
    operation_id = "listUsers",
    path = "/auth/v1/users",
    tag = "auth",
    responses((status = 200, description = "the users", body = [UserInfo]))
)]
pub async fn list(State(nfvo): State<Nfvo>) -> Result<Json<Vec<UserInfo>>, ApiError> {
    Ok(Json(nfvo.users()?.into_iter().map(UserInfo::from).collect()))
}

/// Removes a user with its tokens and API keys; never the last admin.
#[utoipa::path(
    delete,
    operation_id = "removeUser",
    path = "/auth/v1/users/{name}",
    tag = "auth",
    params(("name" = String, Path, description = "the user's name")),
    responses(
        (status = 204, description = "removed"),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn remove(
    State(nfvo): State<Nfvo>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    nfvo.remove_user(&name)?;
    Ok(StatusCode::NO_CONTENT)
}
