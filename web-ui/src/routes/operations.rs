//! `GET /operations`: consumer positions, lag and dead letters.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::watch;
use crate::AppState;
use crate::error::AppError;
use crate::pages::{self, Watch};
use crate::presenters::operations::operations_page;

/// `GET /operations`.
pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    // The token first, then the content (see `AccountWatch::of` for why).
    let watch = Watch {
        url: "/watch?operations=1".to_string(),
        token: watch::operations_token(&state.views).await?,
    };
    let consumers = state.views.consumers().await?;
    let dead_letters = state.views.dead_letters().await?;
    let page = operations_page(consumers, dead_letters, watch);
    Ok(pages::render(&page)?.into_response())
}
