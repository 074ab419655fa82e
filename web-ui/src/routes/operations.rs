//! `GET /operations`: consumer positions, lag, dead letters, money held.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::watch;
use crate::AppState;
use crate::error::AppError;
use crate::pages::{self, Watch};
use crate::presenters::operations::{Operations, RefusedRelease, operations_page};
use crate::presenters::parties;

/// `GET /operations`.
pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    Ok(page(&state, None).await?.into_response())
}

/// `POST /operations/components/{name}/pause` (or `/resume`): turns the
/// switch of a component running in this process, then shows the operations
/// page again. A component that is not running here is not found.
pub async fn switch_component(
    State(state): State<AppState>,
    Path((name, switch)): Path<(String, String)>,
) -> Response {
    let Some(component) = state.components.named(&name) else {
        return super::not_found().await;
    };
    match switch.as_str() {
        "pause" => component.pause.pause(),
        "resume" => component.pause.resume(),
        _ => return super::not_found().await,
    }
    tracing::info!(
        component = name,
        switch,
        "switched from the operations page"
    );
    Redirect::to("/operations#components").into_response()
}

/// The page, with a refused release form shown again (as 422) if there is
/// one.
pub(super) async fn page(
    state: &AppState,
    refused: Option<RefusedRelease>,
) -> Result<Response, AppError> {
    // The token first, then the content (see `AccountWatch::of` for why).
    let watch = Watch {
        url: "/watch?operations=1".to_string(),
        token: watch::operations_token(&state.views).await?,
        refresh_without_script: true,
    };
    let held = state.views.held_transfers().await?;
    let operations = Operations {
        components: state.components.all().to_vec(),
        consumers: state.views.consumers().await?,
        dead_letters: state.views.dead_letters().await?,
        names: state.views.holder_names(parties(&held)).await?,
        held,
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = operations_page(operations, refused, watch);
    Ok((status, pages::render(&page)?).into_response())
}
