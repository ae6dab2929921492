//! tonic answers a request larger than `max_decoding_message_size` with OUT_OF_RANGE (see its
//! codec/decode.rs), but the Pop protocol answers an oversized request with
//! RESOURCE_EXHAUSTED, as gRPC's own spec does for message limits. This middleware rewrites
//! exactly that status (code 11 with tonic's "message length too large" message, sent in the
//! trailers-only response headers) to code 8, and leaves every other response alone.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::codegen::{http, BoxFuture, Service};
use tonic::server::NamedService;
use tonic::{Code, Status};

/// Wraps a gRPC service (a tower service) to answer oversized requests RESOURCE_EXHAUSTED.
#[derive(Debug, Clone)]
pub struct OversizeAsResourceExhausted<S> {
    inner: S,
}

impl<S> OversizeAsResourceExhausted<S> {
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S: NamedService> NamedService for OversizeAsResourceExhausted<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B, R> Service<http::Request<B>> for OversizeAsResourceExhausted<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>, Error = Infallible>,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut response = fut.await?;
            rewrite(&mut response);
            Ok(response)
        })
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
