//! The error responses the OpenAPI document names, all problem details.

use utoipa::ToResponse;

use super::dto::ProblemSchema;

/// The request is malformed or asks for something impossible.
#[derive(Debug, ToResponse)]
#[response(description = "invalid request", content_type = "application/problem+json")]
pub struct BadRequest(pub ProblemSchema);

/// No such resource.
#[derive(Debug, ToResponse)]
#[response(description = "not found", content_type = "application/problem+json")]
pub struct NotFound(pub ProblemSchema);

/// The resource is in a state that does not allow the request.
#[derive(Debug, ToResponse)]
#[response(description = "conflict", content_type = "application/problem+json")]
pub struct Conflict(pub ProblemSchema);

/// The request body is larger than the route allows.
#[derive(Debug, ToResponse)]
#[response(description = "request body too large", content_type = "application/problem+json")]
pub struct PayloadTooLarge(pub ProblemSchema);

/// The request body is not JSON.
#[derive(Debug, ToResponse)]
#[response(description = "unsupported media type", content_type = "application/problem+json")]
pub struct UnsupportedMediaType(pub ProblemSchema);

/// Well formed, but cannot be done: a site does not answer, or a VNF has no site.
#[derive(Debug, ToResponse)]
#[response(description = "cannot be done", content_type = "application/problem+json")]
pub struct Unprocessable(pub ProblemSchema);

/// No credentials, or a token or API key that is unknown, revoked or expired; or, at login, a
/// wrong user name or password.
#[derive(Debug, ToResponse)]
#[response(
    description = "unauthorized",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer"))
)]
pub struct Unauthorized(pub ProblemSchema);

/// The credential's role does not allow the request.
#[derive(Debug, ToResponse)]
#[response(description = "forbidden", content_type = "application/problem+json")]
pub struct Forbidden(pub ProblemSchema);

/// The `If-Match` given is not the resource's `ETag`: it changed since the client read it.
#[derive(Debug, ToResponse)]
#[response(description = "precondition failed", content_type = "application/problem+json")]
pub struct PreconditionFailed(pub ProblemSchema);

/// None of the media types the request accepts can be given.
#[derive(Debug, ToResponse)]
#[response(description = "not acceptable", content_type = "application/problem+json")]
pub struct NotAcceptable(pub ProblemSchema);

/// The `Range` asked for is past the content's end.
#[derive(Debug, ToResponse)]
#[response(
    description = "range not satisfiable",
    content_type = "application/problem+json",
    headers(("Content-Range" = String, description = "bytes */<length>"))
)]
pub struct RangeNotSatisfiable(pub ProblemSchema);
