//! Who may talk to the UI: allowed hosts, cross-site protection, and the
//! headers that tell browsers to be strict.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

/// The host names (with their port) the UI answers to.
///
/// A browser sends, with every request, the host it thinks it is talking
/// to. Checking it stops *DNS rebinding*: a page on `evil.example` that
/// makes its own name resolve to `127.0.0.1` can then send requests to a UI
/// on your machine that the browser considers same-origin, so the
/// cross-site check below lets them through; but they say `Host:
/// evil.example`, which is not on this list, and are refused (421).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowedHosts {
    /// `localhost`, `127.0.0.1` and `[::1]` with this port: what a browser
    /// on this machine says. Port 0, as when binding, stands for the port
    /// the UI ends up listening on ([`crate::Application::bind`] sets it).
    Loopback { port: u16 },
    /// Exactly these hosts (`localhost:3000`, `bank.example`), compared
    /// without regard to case.
    Listed(Arc<[String]>),
}

impl AllowedHosts {
    /// Exactly `hosts` (the `ALLOWED_HOSTS` setting, say).
    pub fn listed(hosts: impl IntoIterator<Item = impl Into<String>>) -> AllowedHosts {
        let hosts: Vec<String> = hosts
            .into_iter()
            .map(|host| host.into().trim().to_ascii_lowercase())
            .filter(|host| !host.is_empty())
            .collect();
        AllowedHosts::Listed(hosts.into())
    }

    /// The loopback names with `port` (0: the port the UI will listen on).
    pub fn loopback(port: u16) -> AllowedHosts {
        AllowedHosts::Loopback { port }
    }

    /// Whether `host` (a `Host` header) is one of them.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match self {
            AllowedHosts::Loopback { port } => ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .any(|name| host == format!("{name}:{port}")),
            AllowedHosts::Listed(hosts) => hosts.contains(&host),
        }
    }

    /// The same hosts, with port 0 read as `port`, the one bound.
    pub fn on_port(self, port: u16) -> AllowedHosts {
        match self {
            AllowedHosts::Loopback { port: 0 } => AllowedHosts::Loopback { port },
            other => other,
        }
    }
}

/// Refuses a request for a host the UI was not told to serve: 421 for a
/// foreign `Host`, 400 for none.
pub async fn refuse_foreign_hosts(
    State(hosts): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    match host {
        Some(host) if hosts.allows(host) => next.run(request).await,
        Some(host) => {
            tracing::warn!(host, "refused a request for a host not served here");
            (
                StatusCode::MISDIRECTED_REQUEST,
                "This bank does not answer to that host name.",
            )
                .into_response()
        }
        None => (StatusCode::BAD_REQUEST, "A request must name its host.").into_response(),
    }
}

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
/// framing by other sites, no content-type guessing, no referrer leaks, and
/// no keeping of pages (a balance in a shared computer's cache, or a form
/// with an old command id, is worse than a fresh request). The stylesheet
/// and the script say they may be kept, so `no-store` stays off them.
pub fn headers() -> [SetResponseHeaderLayer<HeaderValue>; 5] {
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
        header("cache-control", "no-store"),
    ]
}
