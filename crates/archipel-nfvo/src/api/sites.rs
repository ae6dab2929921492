//! `/sites`: where VNFs go.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::dto::{SiteInfo, SiteRequest};
use super::extract::JsonBody;
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType,
};
use crate::Nfvo;

/// Registers a site once its popd has answered Info with the given credentials.
#[utoipa::path(
    post,
    operation_id = "addSite",
    path = "/sites",
    tag = "sites",
    request_body = SiteRequest,
    responses(
        (status = 201, description = "registered", body = SiteInfo,
         headers(("Location" = String, description = "the site's URL"))),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn add(
    State(nfvo): State<Nfvo>,
    JsonBody(request): JsonBody<SiteRequest>,
) -> Result<Response, ApiError> {
    let site = SiteInfo::from(nfvo.add_site(request.into()).await?);
    let location = format!("/sites/{}", site.name);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(site)).into_response())
}

/// Every site, each asked for Info now.
#[utoipa::path(
    get,
    operation_id = "listSites",
    path = "/sites",
    tag = "sites",
    responses((status = 200, description = "the sites, by name", body = [SiteInfo]))
)]
pub async fn list(State(nfvo): State<Nfvo>) -> Result<Json<Vec<SiteInfo>>, ApiError> {
    Ok(Json(nfvo.sites().await?.into_iter().map(SiteInfo::from).collect()))
}

#[utoipa::path(
    get,
    operation_id = "getSite",
    path = "/sites/{name}",
    tag = "sites",
    params(("name" = String, Path, description = "the site's name")),
    responses((status = 200, description = "the site", body = SiteInfo), (status = 404, response = NotFound))
)]
pub async fn show(
    State(nfvo): State<Nfvo>,
    Path(name): Path<String>,
) -> Result<Json<SiteInfo>, ApiError> {
    Ok(Json(SiteInfo::from(nfvo.site(&name).await?)))
}

/// Forgets a site where no network service holds anything.
#[utoipa::path(
    delete,
    operation_id = "removeSite",
    path = "/sites/{name}",
    tag = "sites",
    params(("name" = String, Path, description = "the site's name")),
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
    nfvo.remove_site(&name)?;
    Ok(StatusCode::NO_CONTENT)
}
