//! The REST API's request and response bodies, shaped after ETSI NFV-SOL 005 (camelCase
//! names). The server converts domain records into these; the client reads them back.

mod auth;
mod fm;
mod health;
mod nsd;
mod nsdm;
mod nslcm;
mod op;
mod package;
mod pkgm;
mod pm;
mod problem;
mod site;
mod subscription;
mod update;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use auth::{
    ApiKeyCreated, ApiKeyInfo, ApiKeyRequest, Health, LoginRequest, LoginResponse, RoleName,
    UserInfo, UserRequest,
};
pub use fm::{
    AckState, AlarmModifications, FmNotificationsFilter, FmSubscription, FmSubscriptionRequest,
};
pub use health::{AlarmInfo, AlarmLinks, FaultyResource, HealNsRequest, HealthInfo, HEAL_LIMIT};
pub use nsd::{
    CreateNsdInfoRequest, NsdInfo, NsdInfoModifications, NsdLinks, NsdWarning, OperationalState,
};
pub use nsdm::{NsdmNotificationsFilter, NsdmSubscription, NsdmSubscriptionRequest};
pub use nslcm::{
    CreateNsRequest, FailureInfo, InstantiateNsRequest, NetworkInfo, NsInstance, NsLinks, NsParams,
    ScaleByStepData, ScaleNsRequest, ScaleTarget, ScaleVnfData, TerminateNsRequest, VnfInstance,
    VnfcInfo,
};
pub use op::{CancelMode, CancelModeType, NsLcmOpOcc, OpLinks};
pub use package::{
    CreateVnfPkgInfoRequest, PackageContent, VnfPkgInfo, VnfPkgInfoModifications, VnfPkgLinks,
};
pub use pkgm::{PkgmNotificationsFilter, PkgmSubscription, PkgmSubscriptionRequest};
pub use pm::{
    CallbackModifications, CreatePmJobRequest, CreateThresholdRequest, PerformanceReport,
    PerformanceReportEntry, PerformanceValue, PmJobCriteria, PmJobInfo, PmJobLinks, ReportInfo,
    SimpleThresholdDetails, ThresholdCriteria, ThresholdInfo, ThresholdLinks, ThresholdType,
};
pub use problem::{Problem, ProblemSchema};
pub use site::{SiteInfo, SiteRequest};
pub use subscription::{
    LccnSubscription, LccnSubscriptionRequest, LifecycleChangeNotificationsFilter,
    NsInstanceSubscriptionFilter, SubscriptionLinks,
};
pub use update::{ModifyVnfInfoData, UpdateNsRequest, UpdateType};

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
