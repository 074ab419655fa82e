//! Cross-site request protection and security headers.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

/// Refuses a form posted to the bank from another site.
///
/// A cross-site request forgery is a page on another site that makes your
/// browser post a form here. Browsers tell us where a request comes from:
/// `Sec-Fetch-Site` says `same-origin` for our own pages (every current
/// browser sends it), and `Origin` names the posting site. So a write is
/// refused when `Sec-Fetch-Site` is present and not `same-origin` (or
/// `none`, a person typing), or, for browsers without it, when `Origin` is
/// present and is not this host. Requests with neither header come from
/// programs such as `curl`, not from a browser that could be tricked, and
/// pass. No tokens or cookies are needed for this, which keeps every page
/// cacheable and every form a plain HTML form.
pub async fn refuse_cross_origin_writes(request: Request, next: Next) -> Response {
    if is_write(request.method()) && !is_same_origin(&request) {
        tracing::warn!(uri = %request.uri(), "refused a cross-origin write");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site form submissions are refused. Use the bank's own pages.",
        )
            .into_response();
    }
    next.run(request).await
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(request: &Request<Body>) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, host)| host);
    matches!((origin_host, host), (Some(origin), Some(host)) if origin == host)
}

/// Headers on every response that tell the browser to be strict: only our
/// own scripts and styles (no inline code, so injected markup cannot run), no
/// framing by other sites, no content-type guessing, no referrer leaks.
pub fn headers() -> [SetResponseHeaderLayer<HeaderValue>; 4] {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    [
        header(
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
        header("x-content-type-options", "nosniff"),
        header("x-frame-options", "DENY"),
        header("referrer-policy", "same-origin"),
    ]
}
