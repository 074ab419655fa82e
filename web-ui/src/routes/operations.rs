//! `GET /operations`: consumer positions, lag and dead letters.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::watch;
use crate::AppState;
use crate::error::AppError;
use crate::pages::{self, ConsumerRow, DeadLetterRow, OperationsPage, Watch, display_time};

pub async fn show(State(state): State<AppState>) -> Result<Response, AppError> {
    // The token first, then the content (see `accounts::show` for why).
    let token = watch::operations_token(&state.views).await?;
    let consumers = state
        .views
        .consumers()
        .await?
        .into_iter()
        .map(|consumer| ConsumerRow {
            name: consumer.position_stream,
            category: consumer.category,
            position: consumer
                .position
                .map_or_else(|| "none".to_string(), |p| p.to_string()),
            lag: if consumer.lag >= 1000 {
                "1000+".to_string()
            } else {
                consumer.lag.to_string()
            },
            caught_up: consumer.lag == 0,
            updated: display_time(&consumer.updated_time),
        })
        .collect();
    let dead_letters = state
        .views
        .dead_letters()
        .await?
        .into_iter()
        .map(|letter| DeadLetterRow {
            consumer: letter.consumer,
            stream_name: letter.stream_name,
            position: letter.position,
            message_type: letter.message_type,
            error: letter.error,
            time: display_time(&letter.time),
        })
        .collect();
    // The page follows the consumers live: it reloads when a position or a
    // lag changes, so stopping a component shows its lag growing.
    let page = OperationsPage {
        watch: Some(Watch {
            url: "/watch?operations=1".to_string(),
            token,
        }),
        consumers,
        dead_letters,
    };
    Ok(pages::render(&page)?.into_response())
}
