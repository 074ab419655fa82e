//! The router: every page, and the layers every request goes through.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Router};
use messaging::{Clock, MessageStore};
use tokio_util::sync::CancellationToken;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::components::InProcess;
use crate::limits::{self, InspectionSlots, Limits};
use crate::live::LiveUpdates;
use crate::metrics;
use crate::routes;
use crate::security::{self, AllowedHosts};

/// What every handler may use.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The views: everything the UI shows.
    pub views: views::Views,
    /// The message store: the UI writes commands to it (a handle restricted
    /// to commands, see `messaging::store::Writes`), and the inspector
    /// reads it.
    pub store: MessageStore,
    /// The time written into commands.
    pub clock: Clock,
    /// The host names the UI answers to.
    pub hosts: AllowedHosts,
    /// The components running in this process, which the operations page
    /// can pause (none when they run as processes of their own).
    pub components: InProcess,
}

/// The whole web UI as a router, ready to serve or to call in tests with
/// `oneshot`.
pub fn app(state: AppState) -> Router {
    app_with(state, Limits::default())
}

/// The same, with other bounds (for tests of the bounds themselves).
pub fn app_with(state: AppState, limits: Limits) -> Router {
    app_until(state, limits, CancellationToken::new())
}

/// The same, whose live updates end when `shutdown` is cancelled (a stream
/// of events would otherwise hold a graceful shutdown open).
pub fn app_until(state: AppState, limits: Limits, shutdown: CancellationToken) -> Router {
    let live = LiveUpdates::start(state.views.clone(), limits.live_streams, shutdown);
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
        .route(
            "/transfers/{funds_transfer_id}/release",
            post(routes::transfers::release),
        )
        .route(
            "/inspector",
            get(routes::inspector::show).layer(axum::middleware::from_fn_with_state(
                InspectionSlots::new(limits.inspections_in_flight),
                limits::limit_inspections,
            )),
        )
        .route("/operations", get(routes::operations::show))
        .route(
            "/operations/components/{name}/{switch}",
            post(routes::operations::switch_component),
        )
        .route("/watch", get(routes::watch::token))
        .route(
            "/events",
            get(routes::events::stream).layer(Extension(live)),
        )
        .route("/static/style.css", get(routes::assets::stylesheet))
        .route("/static/pending.js", get(routes::assets::script))
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn(
            security::refuse_cross_origin_writes,
        ));
    // Layers wrap what is above them, so a request meets them bottom first:
    // traced, counted, then its host checked, then bounded in number, time
    // and size.
    security::headers()
        .into_iter()
        .fold(router, |router, header| router.layer(header))
        .layer(RequestBodyLimitLayer::new(limits.body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ))
        .layer(ConcurrencyLimitLayer::new(limits.requests_in_flight))
        .layer(axum::middleware::from_fn_with_state(
            state.hosts.clone(),
            security::refuse_foreign_hosts,
        ))
        .layer(axum::middleware::from_fn(metrics::count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
