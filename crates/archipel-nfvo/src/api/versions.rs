//! SOL013's API versions: `GET /{api}/v1/api_versions` and `/{api}/api_versions` for each
//! SOL005 API, and the `Version` header on every answer under one.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The SOL005 APIs served here, by their URI's first segment.
pub const APIS: [&str; 5] = ["nsd", "nslcm", "nsfm", "nspm", "vnfpkgm"];
/// The version of each: the first of Archipel's `v1` APIs.
pub const VERSION: &str = "1.0.0";

/// SOL013 `ApiVersionInformation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiVersionInformation {
    /// The API's URI prefix, e.g. `/nslcm/v1`.
    pub uri_prefix: String,
    pub api_versions: Vec<ApiVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiVersion {
    /// Semantic version.
    pub version: String,
    pub is_deprecated: bool,
}

/// The versions of API `api`.
pub fn information(api: &str) -> ApiVersionInformation {
    ApiVersionInformation {
        uri_prefix: format!("/{api}/v1"),
        api_versions: vec![ApiVersion { version: VERSION.to_owned(), is_deprecated: false }],
    }
}

/// The API a path is under, if it is one of [`APIS`].
fn api_of(path: &str) -> Option<&'static str> {
    let first = path.strip_prefix('/')?.split('/').next()?;
    APIS.iter().copied().find(|api| *api == first)
}

/// Adds `Version` to every answer under a SOL005 API.
pub async fn header(request: Request, next: Next) -> Response {
    let under_api = api_of(request.uri().path()).is_some();
    let mut response = next.run(request).await;
    if under_api {
        response.headers_mut().insert("version", HeaderValue::from_static(VERSION));
    }
    response
}

/// One handler per route, each documented.
macro_rules! handlers {
    ($($name:ident => $api:literal, $path:literal;)*) => {$(
        /// The API's versions (SOL013 `ApiVersionInformation`).
        #[utoipa::path(
            get,
            path = $path,
            tag = "versions",
            responses((status = 200, description = "the API's versions", body = ApiVersionInformation,
                       headers(("Version" = String, description = "the version answering"))))
        )]
        pub async fn $name() -> Json<ApiVersionInformation> {
            Json(information($api))
        }
    )*};
}

handlers! {
    nsd_v1 => "nsd", "/nsd/v1/api_versions";
    nsd => "nsd", "/nsd/api_versions";
    nslcm_v1 => "nslcm", "/nslcm/v1/api_versions";
    nslcm => "nslcm", "/nslcm/api_versions";
    nsfm_v1 => "nsfm", "/nsfm/v1/api_versions";
    nsfm => "nsfm", "/nsfm/api_versions";
    nspm_v1 => "nspm", "/nspm/v1/api_versions";
    nspm => "nspm", "/nspm/api_versions";
    vnfpkgm_v1 => "vnfpkgm", "/vnfpkgm/v1/api_versions";
    vnfpkgm => "vnfpkgm", "/vnfpkgm/api_versions";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_api() {
        assert_eq!(api_of("/nslcm/v1/ns_instances"), Some("nslcm"));
        assert_eq!(api_of("/nsd/api_versions"), Some("nsd"));
        assert_eq!(api_of("/sites"), None);
        assert_eq!(api_of("/nslcmx/v1"), None);
    }
}
