//! `/ui`: the web view's files, served to anyone, each with its type and a strict policy; the
//! data it shows stays behind the token.

use crate::harness::{problem, Api};

/// GET `path` with no credential: status, content type, Content-Security-Policy, body.
async fn fetch(api: &Api, path: &str) -> (u16, String, String, String) {
    let response = reqwest::get(format!("{}{path}", api.base)).await.unwrap();
    let header = |name: &str| {
        response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    let (content_type, csp) = (header("content-type"), header("content-security-policy"));
    let status = response.status().as_u16();
    (status, content_type, csp, response.text().await.unwrap())
}

#[tokio::test]
async fn the_web_view_is_served_without_a_token_with_a_strict_policy() {
    let api = Api::start(&[]).await;
    let files = [
        ("/ui", "text/html; charset=utf-8", "src=\"/ui/app.js\""),
        ("/ui/", "text/html; charset=utf-8", "src=\"/ui/app.js\""),
        ("/ui/render.js", "text/javascript; charset=utf-8", "createElementNS"),
        ("/ui/app.js", "text/javascript; charset=utf-8", "/archipel/v1/events"),
        ("/ui/style.css", "text/css; charset=utf-8", "#map"),
    ];
    for (path, content_type, holds) in files {
        let (status, have_type, csp, body) = fetch(&api, path).await;
        assert_eq!((status, have_type.as_str()), (200, content_type), "{path}");
        assert!(body.contains(holds), "{path} lacks {holds}");
        for directive in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
    }
    let missing = api.call_as(None, "GET", "/ui/secrets.txt", None, Vec::new()).await;
    problem(&missing, 404);
    // The page's data is not public.
    let sites = api.call_as(None, "GET", "/sites", None, Vec::new()).await;
    problem(&sites, 401);
}
