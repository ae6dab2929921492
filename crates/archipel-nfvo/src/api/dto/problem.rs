//! Problem details: the daemon kit's type on the wire, described here for the OpenAPI document
//! (the kit stays free of utoipa).

use utoipa::ToSchema;

pub use archipel_daemon::problem::Problem;

/// An error, as RFC 9457 problem details (`application/problem+json`). Only its schema is
/// used: the field list of [`Problem`].
#[derive(Debug, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemSchema {
    /// A URI naming the kind of problem, `urn:archipel:problem:<kind>`.
    #[schema(rename = "type")]
    pub problem_type: String,
    /// The kind of problem in words; the same for every problem of a type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// For a refused NSD: where in the document, e.g. `vnfd[1].vdu[0].vm_image`.
    pub path: Option<String>,
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    /// The schema names exactly the fields the kit's type puts on the wire.
    #[test]
    fn the_schema_follows_the_wire_type() {
        let schema = serde_json::to_value(ProblemSchema::schema()).unwrap();
        let mut described: Vec<String> =
            schema["properties"].as_object().unwrap().keys().cloned().collect();
        described.sort();
        let mut problem = Problem::new(axum::http::StatusCode::CONFLICT, "k", "t", "d");
        problem.path = Some("p".into());
        let wire = serde_json::to_value(problem).unwrap();
        let mut sent: Vec<String> = wire.as_object().unwrap().keys().cloned().collect();
        sent.sort();
        assert_eq!(described, sent);
        assert_eq!(schema["required"], serde_json::json!(["type", "title", "status", "detail"]));
        let doc = serde_json::to_value(crate::api::openapi::openapi()).unwrap();
        let named = &doc["components"]["schemas"]["Problem"]["properties"];
        assert_eq!(named, &schema["properties"], "the document names it Problem");
    }
}
