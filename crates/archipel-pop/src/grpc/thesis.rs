//! The Pop service also answers under the thesis's package name, `vim_pop`, so that the thesis's
//! own clients (its Go `pop` client, Open Baton's `pop-plugind`) work unchanged: they call
//! `/vim_pop.Pop/Create` where ours call `/archipel.pop.v1.Pop/Create`. The messages are the
//! same on the wire (ours only add fields), so renaming the path is all it takes.

use std::task::{Context, Poll};

use tonic::codegen::{http, Service};
use tonic::server::NamedService;

/// The thesis's name of the Pop service (Appendix B: `package vim_pop; service Pop`).
pub const THESIS_SERVICE_NAME: &str = "vim_pop.Pop";

/// Serves `/vim_pop.Pop/METHOD` by handing the call to the wrapped service as `/NAME/METHOD`.
#[derive(Debug, Clone)]
pub struct ThesisName<S> {
    inner: S,
}

impl<S> ThesisName<S> {
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S> NamedService for ThesisName<S> {
    const NAME: &'static str = THESIS_SERVICE_NAME;
}

impl<S: NamedService + Service<http::Request<B>>, B> Service<http::Request<B>> for ThesisName<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        if let Some(uri) = renamed::<S>(req.uri()) {
            *req.uri_mut() = uri;
        }
        self.inner.call(req)
    }
}

/// The URI with the thesis's service name replaced by `S`'s; `None` when it names another.
fn renamed<S: NamedService>(uri: &http::Uri) -> Option<http::Uri> {
    let method =
        uri.path().strip_prefix('/')?.strip_prefix(THESIS_SERVICE_NAME)?.strip_prefix('/')?;
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(format!("/{}/{method}", S::NAME).parse().ok()?);
    http::Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ours;
    impl NamedService for Ours {
        const NAME: &'static str = "archipel.pop.v1.Pop";
    }

    #[test]
    fn a_thesis_path_becomes_ours() {
        let uri: http::Uri = "http://pop:50051/vim_pop.Pop/Create".parse().unwrap();
        let renamed = renamed::<Ours>(&uri).unwrap();
        assert_eq!(renamed.to_string(), "http://pop:50051/archipel.pop.v1.Pop/Create");
    }

    #[test]
    fn other_paths_are_left_alone() {
        for path in ["/archipel.pop.v1.Pop/Create", "/vim_pop.PopX/Create", "/vim_pop.Pop"] {
            let uri: http::Uri = path.parse().unwrap();
            assert!(renamed::<Ours>(&uri).is_none(), "{path}");
        }
    }
}
