//! `/nsd/v1/ns_descriptors/{id}/nsd_content`: an NSD's document, given (SOL005's second step)
//! as JSON or in a zip, and read back as JSON or zipped, whole or by byte range.

use std::io::{Cursor, Read};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::content;
use super::dto::Problem;
use super::extract::{media_type, unsupported, RawBody, NSD_LIMIT};
use super::problem::ApiError;
use super::responses::{
    BadRequest, Conflict, NotAcceptable, NotFound, PayloadTooLarge, RangeNotSatisfiable,
    UnsupportedMediaType,
};
use crate::Nfvo;

const ZIP: &str = "application/zip";
const JSON: &str = "application/json";
const TEXT: &str = "text/plain";
/// The document's name inside a zip this API makes.
const ZIPPED_NAME: &str = "nsd.json";

/// Gives an empty NSD its document, checked as onboarding checks one: Open Baton's JSON, or a
/// zip (a CSAR) holding it as its one `.json` file. On success the NSD is ONBOARDED and ENABLED;
/// a refused document leaves it as it was.
#[utoipa::path(
    put,
    operation_id = "uploadNsdContent",
    path = "/nsd/v1/ns_descriptors/{id}/nsd_content",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    request_body(content = Object, content_type = "application/json",
                 description = "an Open Baton NSD (or, as application/zip, a zip holding one)"),
    responses(
        (status = 204, description = "onboarded"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn upload(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<StatusCode, ApiError> {
    let document = match media_type(&headers).as_deref() {
        Some(ZIP) => unzip(&body)?,
        Some(mime) if mime == JSON || mime.ends_with("+json") => body.to_vec(),
        _ => {
            let detail = "send the NSD as application/json, or a zip holding it as application/zip";
            return Err(unsupported(detail).into());
        }
    };
    nfvo.upload_nsd(&id, &document)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The NSD's document exactly as it was given, as JSON (or text/plain when the request takes
/// that and not JSON), or in a zip (as `nsd.json`) when the request accepts `application/zip`
/// only; one byte range with `Range`.
#[utoipa::path(
    get,
    operation_id = "getNsdContent",
    path = "/nsd/v1/ns_descriptors/{id}/nsd_content",
    tag = "nsd",
    params(("id" = String, Path, description = "the NSD's id")),
    responses(
        (status = 200, description = "the document as given (Open Baton JSON, which may hold trailing commas)",
         body = Object, content_type = "application/json"),
        (status = 206, description = "the byte range asked for", body = Object, content_type = "application/json",
         headers(("Content-Range" = String, description = "bytes <first>-<last>/<length>"))),
        (status = 404, response = NotFound),
        (status = 406, response = NotAcceptable),
        (status = 409, response = Conflict),
        (status = 416, response = RangeNotSatisfiable),
    )
)]
pub async fn download(
    State(nfvo): State<Nfvo>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let form = form(&headers)?;
    let document = nfvo.nsd_document(&id)?.content;
    Ok(match form {
        ZIP => content::serve(&headers, ZIP, zip(&document)),
        form => content::serve(&headers, form, document),
    })
}

/// The form to answer in: JSON when `Accept` takes it (or says nothing), else text/plain (SOL005's
/// single-file NSD: the same bytes), else a zip; 406 when it takes none of them.
fn form(headers: &HeaderMap) -> Result<&'static str, ApiError> {
    let types = content::accepted(headers);
    let takes = |mime: &str| types.iter().any(|t| t == mime);
    if types.is_empty() || takes(JSON) || takes("*/*") || takes("application/*") {
        Ok(JSON)
    } else if takes(TEXT) || takes("text/*") {
        Ok(TEXT)
    } else if takes(ZIP) {
        Ok(ZIP)
    } else {
        Err(content::not_acceptable("application/json, text/plain or application/zip"))
    }
}

/// The one `.json` file of a zip, within the NSD limit once inflated.
fn unzip(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let invalid = |detail: String| -> ApiError {
        Problem::new(StatusCode::BAD_REQUEST, "invalid-nsd", "invalid NSD", detail).into()
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(body))
        .map_err(|e| invalid(format!("the body is not a zip: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .filter(|name| name.to_ascii_lowercase().ends_with(".json"))
        .map(str::to_owned)
        .collect();
    let name = match names.as_slice() {
        [one] => one.clone(),
        [] => return Err(invalid("the zip holds no .json file: put the NSD in it".to_owned())),
        many => {
            let detail =
                format!("the zip holds {} .json files ({}): give one", many.len(), many.join(", "));
            return Err(invalid(detail));
        }
    };
    let file = archive.by_name(&name).map_err(|e| invalid(format!("cannot read {name}: {e}")))?;
    let mut document = Vec::new();
    file.take(NSD_LIMIT as u64 + 1)
        .read_to_end(&mut document)
        .map_err(|e| invalid(format!("cannot inflate {name}: {e}")))?;
    if document.len() > NSD_LIMIT {
        let detail = format!("{name} inflates past {NSD_LIMIT} bytes, the largest NSD taken");
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "request body too large",
            detail,
        )
        .into());
    }
    Ok(document)
}

/// `document` deflated in a zip as `nsd.json`.
fn zip(document: &[u8]) -> Vec<u8> {
    content::zipped(ZIPPED_NAME, document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_made_here_reads_back() {
        let document = br#"{"name": "n",}"#;
        assert_eq!(unzip(&zip(document)).unwrap(), document);
    }
}
