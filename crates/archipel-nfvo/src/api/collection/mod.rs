//! Collections as SOL013 serves them: filtered (§5.2), their items' attributes selected
//! (§5.3), and answered in pages (§5.4.2) with a `Link: <…>; rel="next"` header. Every list of
//! the SOL005 APIs answers through [`answer`]; a bad filter, selector or page marker is 400
//! with problem details naming it.

mod filter;
mod schema;
mod select;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::IntoParams;

use self::filter::Filter;
use self::schema::{attribute, Attribute};
use self::select::Selector;
use super::problem::ApiError;

/// A resource type of a collection: its schema in the document, and the complex attributes
/// SOL005 leaves out under `exclude_default`.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub schema: &'static str,
    pub defaults: &'static [&'static str],
}

pub const NS_INSTANCES: Kind =
    Kind { schema: "NsInstance", defaults: &["vnfInstance", "virtualLinkInfo", "extensionInfo"] };
pub const NSDS: Kind = Kind { schema: "NsdInfo", defaults: &["userDefinedData", "warnings"] };
pub const OPS: Kind = Kind { schema: "NsLcmOpOcc", defaults: &["operationParams", "error"] };
pub const PACKAGES: Kind = Kind { schema: "VnfPkgInfo", defaults: &[] };
pub const SUBSCRIPTIONS: Kind = Kind { schema: "LccnSubscription", defaults: &[] };
pub const NSD_SUBSCRIPTIONS: Kind = Kind { schema: "NsdmSubscription", defaults: &[] };
pub const FM_SUBSCRIPTIONS: Kind = Kind { schema: "FmSubscription", defaults: &[] };
pub const PKGM_SUBSCRIPTIONS: Kind = Kind { schema: "PkgmSubscription", defaults: &[] };
pub const ALARMS: Kind = Kind { schema: "AlarmInfo", defaults: &[] };
pub const PM_JOBS: Kind = Kind { schema: "PmJobInfo", defaults: &["reports"] };
pub const THRESHOLDS: Kind = Kind { schema: "ThresholdInfo", defaults: &[] };

/// The query of a collection (SOL013 §5.2, §5.3, §5.4.2).
/// A parameter it does not name is refused (SOL013: incorrect query parameters are 400).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CollectionQuery {
    /// `(op,attribute,value[,value…])` expressions joined by `;`, all of which must hold; op
    /// one of eq, neq, gt, lt, gte, lte, cont, ncont; e.g. `(eq,nsState,INSTANTIATED)`.
    filter: Option<String>,
    /// Attributes left out by default to include, comma-separated (`a.b` for a nested one).
    fields: Option<String>,
    /// Attributes to leave out, comma-separated; not with `fields`.
    exclude_fields: Option<String>,
    /// Present: every attribute (the default here); alone.
    all_fields: Option<String>,
    /// Present: without the complex attributes SOL005 leaves out by default.
    exclude_default: Option<String>,
    /// The page after the one whose `Link` header gave it.
    nextpage_opaque_marker: Option<String>,
}

/// A collection request: its path and query.
#[derive(Debug, Clone)]
pub struct Collection {
    path: String,
    query: CollectionQuery,
    /// The query's pairs, to write the next page's link with.
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Collection {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let bad = |e: serde_urlencoded::de::Error| {
            let text: String = e.to_string().chars().take(300).collect();
            ApiError::bad_request(format!("the query: {text}"))
        };
        Ok(Collection {
            path: parts.uri.path().to_owned(),
            query: serde_urlencoded::from_str(raw).map_err(bad)?,
            pairs: serde_urlencoded::from_str(raw).map_err(bad)?,
        })
    }
}

/// The page of `items` the request asks for, filtered and with its attributes selected.
pub fn answer<T: Serialize>(
    items: &[T],
    request: &Collection,
    kind: Kind,
    page_size: usize,
) -> Result<Response, ApiError> {
    let (filter, selector) = read(&request.query, kind).map_err(ApiError::bad_request)?;
    let mut matching = Vec::new();
    for item in items {
        let value = serde_json::to_value(item).expect("a DTO is JSON");
        if filter.holds(&value) {
            matching.push(value);
        }
    }
    let start = match &request.query.nextpage_opaque_marker {
        None => 0,
        Some(marker) => {
            marker.parse::<usize>().ok().filter(|at| *at <= matching.len()).ok_or_else(|| {
                ApiError::bad_request("nextpage_opaque_marker is not one this collection gave")
            })?
        }
    };
    let total = matching.len();
    let end = start.saturating_add(page_size.max(1)).min(total);
    let page: Vec<Value> =
        matching.drain(start..end).map(|item| selector.apply(item, kind.defaults)).collect();
    let mut response = Json(page).into_response();
    if end < total {
        response.headers_mut().insert(header::LINK, next_link(request, end));
    }
    Ok(response)
}

fn next_link(request: &Collection, at: usize) -> HeaderValue {
    let mut pairs: Vec<(String, String)> =
        request.pairs.iter().filter(|(k, _)| k != "nextpage_opaque_marker").cloned().collect();
    pairs.push(("nextpage_opaque_marker".to_owned(), at.to_string()));
    let query = serde_urlencoded::to_string(pairs).expect("pairs of strings");
    HeaderValue::try_from(format!("<{}?{query}>; rel=\"next\"", request.path))
        .expect("a path and an encoded query are ASCII")
}

/// The filter and selector of a query, checked against the resource's attributes.
fn read(query: &CollectionQuery, kind: Kind) -> Result<(Filter, Selector), String> {
    let filter = match &query.filter {
        Some(text) => Filter::parse(text).map_err(|e| format!("filter: {e}"))?,
        None => Filter::default(),
    };
    for path in filter.paths() {
        if attribute(kind.schema, path) == Attribute::Unknown {
            return Err(format!("filter: {} has no attribute {}", kind.schema, path.join(".")));
        }
    }
    let q = query;
    let selector = match (&q.all_fields, &q.fields, &q.exclude_fields, &q.exclude_default) {
        (None, None, None, None) | (Some(_), None, None, None) => Selector::All,
        (None, None, None, Some(_)) => Selector::ExcludeDefault,
        (None, Some(list), None, _) => Selector::Fields(Selector::paths(list)?),
        (None, None, Some(list), None) => Selector::ExcludeFields(Selector::paths(list)?),
        _ => {
            return Err("all_fields stands alone, and fields and exclude_fields do not go \
                        together, nor exclude_fields with exclude_default"
                .to_owned())
        }
    };
    let excluding = matches!(selector, Selector::ExcludeFields(_));
    for path in selector.named() {
        let name = path.join(".");
        match attribute(kind.schema, path) {
            Attribute::Unknown => return Err(format!("{} has no attribute {name}", kind.schema)),
            Attribute::Mandatory if excluding => {
                return Err(format!(
                    "{name} is mandatory in a {}: it cannot be left out",
                    kind.schema
                ))
            }
            _ => {}
        }
    }
    Ok((filter, selector))
}
