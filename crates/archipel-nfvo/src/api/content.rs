//! Downloads of stored content (an NSD's document, a package's tar) with RFC 9110 single byte
//! ranges, as SOL005 asks of every content resource.

use std::io::{Cursor, Write};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::dto::Problem;

/// `content` as `content_type`, whole (200) or the one byte range `Range` asks for (206). A
/// range past the end answers 416; a `Range` that is not one byte range is ignored, as RFC 9110
/// allows, and the whole content sent.
pub fn serve(headers: &HeaderMap, content_type: &'static str, content: Vec<u8>) -> Response {
    let len = content.len();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(parse_range);
    let accept_ranges = (header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match range.map(|r| r.resolve(len)) {
        None => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), accept_ranges],
            content,
        )
            .into_response(),
        Some(Some((first, last))) => {
            let span = format!("bytes {first}-{last}/{len}");
            let part = content[first..=last].to_vec();
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                accept_ranges,
                (header::CONTENT_RANGE, HeaderValue::try_from(span).expect("ASCII")),
            ];
            (StatusCode::PARTIAL_CONTENT, headers, part).into_response()
        }
        Some(None) => {
            let detail =
                format!("the content is {len} bytes: ask for a range that starts within it");
            let problem = Problem::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range-not-satisfiable",
                "range not satisfiable",
                detail,
            );
            let span = HeaderValue::try_from(format!("bytes */{len}")).expect("ASCII");
            let mut response = super::problem::ApiError::from(problem).into_response();
            response.headers_mut().insert(header::CONTENT_RANGE, span);
            response
        }
    }
}

/// A zip holding `content` as its one file `name`.
pub fn zipped(name: &str, content: &[u8]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    // Writing to memory fails only if the zip crate does.
    writer.start_file(name, options).expect("a zip in memory");
    writer.write_all(content).expect("a zip in memory");
    writer.finish().expect("a zip in memory").into_inner()
}

/// The media types `Accept` lists, lowercase, without parameters; none when it is absent.
pub fn accepted(headers: &HeaderMap) -> Vec<String> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    accept
        .split(',')
        .filter_map(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// 406 saying what is offered.
pub fn not_acceptable(offered: &str) -> super::problem::ApiError {
    let detail = format!("the resource is given as {offered}");
    Problem::new(StatusCode::NOT_ACCEPTABLE, "not-acceptable", "not acceptable", detail).into()
}

/// One byte range as `Range` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteRange {
    /// `bytes=first-` or `bytes=first-last`.
    From { first: usize, last: Option<usize> },
    /// `bytes=-n`: the last n bytes.
    Suffix(usize),
}

impl ByteRange {
    /// The inclusive span within `len` bytes, or None when it is not satisfiable.
    fn resolve(self, len: usize) -> Option<(usize, usize)> {
        match self {
            ByteRange::From { first, .. } if first >= len => None,
            ByteRange::From { first, last } => {
                Some((first, last.map_or(len - 1, |last| last.min(len - 1))))
            }
            ByteRange::Suffix(0) => None,
            ByteRange::Suffix(_) if len == 0 => None,
            ByteRange::Suffix(n) => Some((len.saturating_sub(n), len - 1)),
        }
    }
}

fn parse_range(value: &str) -> Option<ByteRange> {
    let spec = value.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let number = |s: &str| s.trim().parse::<usize>().ok();
    match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, false) => Some(ByteRange::Suffix(number(last)?)),
        (false, true) => Some(ByteRange::From { first: number(first)?, last: None }),
        (false, false) => {
            let (first, last) = (number(first)?, number(last)?);
            (first <= last).then_some(ByteRange::From { first, last: Some(last) })
        }
        (true, true) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_rfc_9110_writes_them() {
        let from = |first, last| Some(ByteRange::From { first, last });
        assert_eq!(parse_range("bytes=0-9"), from(0, Some(9)));
        assert_eq!(parse_range("bytes=5-"), from(5, None));
        assert_eq!(parse_range("bytes=-4"), Some(ByteRange::Suffix(4)));
        for ignored in ["bytes=9-0", "bytes=0-1,4-5", "items=0-1", "bytes=-", "bytes=a-b"] {
            assert_eq!(parse_range(ignored), None, "{ignored}");
        }
        assert_eq!(from(0, Some(99)).unwrap().resolve(10), Some((0, 9)));
        assert_eq!(from(10, None).unwrap().resolve(10), None);
        assert_eq!(ByteRange::Suffix(4).resolve(10), Some((6, 9)));
        assert_eq!(ByteRange::Suffix(40).resolve(10), Some((0, 9)));
        assert_eq!(ByteRange::Suffix(0).resolve(10), None);
    }
}
