//! `GET /operations`: consumer positions, lag, dead letters, money held.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    };
    let held = state.views.held_transfers().await?;
    let operations = Operations {
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
