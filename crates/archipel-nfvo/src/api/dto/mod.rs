//! The REST API's request and response bodies, shaped after ETSI NFV-SOL 005 (camelCase
//! names). The server converts domain records into these; the client reads them back.

mod auth;
mod nsd;
mod nslcm;
mod op;
mod problem;
mod site;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use auth::{
    ApiKeyCreated, ApiKeyInfo, ApiKeyRequest, Health, LoginRequest, LoginResponse, RoleName,
    UserInfo, UserRequest,
};
pub use nsd::{NsdInfo, NsdLinks};
pub use nslcm::{
    CreateNsRequest, FailureInfo, InstantiateNsRequest, NetworkInfo, NsInstance, NsLinks,
    ScaleNsRequest, TerminateNsRequest, VnfInstance, VnfcInfo,
};
pub use op::{NsLcmOpOcc, OpLinks};
pub use problem::{Problem, ProblemSchema};
pub use site::{SiteInfo, SiteRequest};

/// A link to a resource of this API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    pub href: String,
}

impl Link {
    pub(crate) fn to(href: String) -> Self {
        Self { href }
    }
}
