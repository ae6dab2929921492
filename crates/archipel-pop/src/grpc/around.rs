//! One tower wrapper for the small things popd does around every gRPC call (timing it,
//! rewriting a status): an [`Around`] sees the call's path before it runs and its response
//! after.

use std::convert::Infallible;
use std::task::{Context, Poll};

use tonic::codegen::{http, BoxFuture, Service};
use tonic::server::NamedService;

/// What is done around each call.
pub trait Around: Clone + Send + 'static {
    /// What `begin` hands to `end`.
    type Mark: Send + 'static;
    fn begin(&self, path: &str) -> Self::Mark;
    fn end<R>(&self, mark: Self::Mark, response: &mut http::Response<R>);
}

/// A gRPC service (a tower service) with `A` done around its calls.
#[derive(Debug, Clone)]
pub struct Wrapped<S, A> {
    inner: S,
    around: A,
}

impl<S, A> Wrapped<S, A> {
    pub fn new(inner: S, around: A) -> Self {
        Self { inner, around }
    }
}

impl<S: NamedService, A> NamedService for Wrapped<S, A> {
    const NAME: &'static str = S::NAME;
}

impl<S, A, B, R> Service<http::Request<B>> for Wrapped<S, A>
where
    S: Service<http::Request<B>, Response = http::Response<R>, Error = Infallible>,
    S::Future: Send + 'static,
    A: Around,
    R: Send + 'static,
{
    type Response = http::Response<R>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let mark = self.around.begin(req.uri().path());
        let around = self.around.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut response = fut.await?;
            around.end(mark, &mut response);
            Ok(response)
        })
    }
}
