//! tonic answers a request larger than `max_decoding_message_size` with OUT_OF_RANGE (see its
//! codec/decode.rs), but the Pop protocol answers an oversized request with
//! RESOURCE_EXHAUSTED, as gRPC's own spec does for message limits. This middleware rewrites
//! exactly that status (code 11 with tonic's "message length too large" message, sent in the
//! trailers-only response headers) to code 8, and leaves every other response alone.

use tonic::codegen::http;
use tonic::{Code, Status};

use super::around::{Around, Wrapped};

/// A gRPC service that answers oversized requests RESOURCE_EXHAUSTED.
pub type OversizeAsResourceExhausted<S> = Wrapped<S, Oversize>;

/// Rewrites tonic's oversize status.
#[derive(Debug, Clone, Copy)]
pub struct Oversize;

impl Around for Oversize {
    type Mark = ();

    fn begin(&self, _path: &str) {}

    fn end<R>(&self, (): (), response: &mut http::Response<R>) {
        rewrite(response);
    }
}

const TONIC_TOO_LARGE: &str = "message length too large: ";

fn rewrite<R>(response: &mut http::Response<R>) {
    // Cheap test first: almost every response carries no status in its headers.
    if response.headers().get(Status::GRPC_STATUS).is_none_or(|v| v.as_bytes() != b"11") {
        return;
    }
    let Some(status) = Status::from_header_map(response.headers()) else { return };
    if status.code() != Code::OutOfRange {
        return;
    }
    let Some((_, detail)) = status.message().split_once(TONIC_TOO_LARGE) else { return };
    let replaced = Status::resource_exhausted(format!(
        "request message too large: {detail}; send a smaller request or raise popd's \
         --max-message-bytes"
    ));
    if replaced.add_header(response.headers_mut()).is_ok() {
        response.extensions_mut().insert(replaced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(status: Status) -> http::Response<()> {
        status.into_http()
    }

    #[test]
    fn rewrites_only_the_oversize_status() {
        let mut r = with_status(Status::out_of_range(
            "Error, decoded message length too large: found 2000000 bytes, the limit is: 1048576 bytes",
        ));
        rewrite(&mut r);
        let s = Status::from_header_map(r.headers()).unwrap();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().starts_with("request message too large: found 2000000 bytes"));

        let mut other = with_status(Status::out_of_range("index past the end"));
        rewrite(&mut other);
        assert_eq!(Status::from_header_map(other.headers()).unwrap().code(), Code::OutOfRange);

        let mut ok = http::Response::new(());
        rewrite(&mut ok);
        assert!(Status::from_header_map(ok.headers()).is_none());
    }
}
