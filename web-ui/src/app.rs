//! The router: every page, and the layers every request goes through.

use axum::Router;
use axum::routing::{get, post};
use messaging::{Clock, MessageStore};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::routes;
use crate::security;

/// The largest request body accepted. The bank's forms are a few hundred
/// bytes; anything far larger is a mistake or an attack, refused with 413
/// before it is read.
pub const BODY_LIMIT: usize = 16 * 1024;

/// What every handler may use.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The views: everything the UI shows.
    pub views: views::Views,
    /// The message store: the UI writes commands to it, and the inspector
    /// reads it.
    pub store: MessageStore,
    /// The time written into commands.
    pub clock: Clock,
}

/// The whole web UI as a router, ready to serve or to call in tests with
/// `oneshot`.
pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .route("/", get(routes::home::show))
        .route("/accounts", post(routes::home::open_account))
        .route("/accounts/{account_id}", get(routes::accounts::show))
        .route(
            "/accounts/{account_id}/deposits",
            post(routes::account_commands::deposit),
        )
        .route(
            "/accounts/{account_id}/withdrawals",
            post(routes::account_commands::withdraw),
        )
        .route(
            "/accounts/{account_id}/transfers",
            post(routes::transfers::transfer),
        )
        .route(
            "/accounts/{account_id}/close",
            post(routes::account_commands::close),
        )
        .route(
            "/transfers/{funds_transfer_id}",
            get(routes::transfers::show),
        )
        .route("/inspector", get(routes::inspector::show))
        .route("/operations", get(routes::operations::show))
        .route("/watch", get(routes::watch::token))
        .route("/static/style.css", get(routes::assets::stylesheet))
        .route("/static/pending.js", get(routes::assets::script))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn(
            security::refuse_cross_origin_writes,
        ));
    security::headers()
        .into_iter()
        .fold(router, |router, header| router.layer(header))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
