//! Failures of the UI's own machinery, turned into honest error pages.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::pages::{self, MessagePage};

/// Something broke underneath a page. The cause goes to the log; the person
/// sees a page that says what it means for them, never internals.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The view database failed.
    #[error("reading the views failed: {0}")]
    Views(#[from] sqlx::Error),
    /// The message store failed.
    #[error("the message store failed: {0}")]
    Store(#[from] messaging::StoreError),
    /// A message could not be built or read.
    #[error(transparent)]
    Message(#[from] messaging::MessageError),
    /// A template failed to render.
    #[error("rendering failed: {0}")]
    Template(#[from] askama::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "request failed");
        let (status, text) = match &self {
            AppError::Store(error) if error.outcome_is_unknown() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The connection to the bank's message store broke: what was being sent may \
                 or may not have arrived. Sending the same form again is safe.",
            ),
            AppError::Store(error) if error.is_transient() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The bank's message store cannot be reached right now. Nothing was sent; \
                 please try again in a moment.",
            ),
            AppError::Views(error) if messaging::store::is_transient(error) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The bank's views cannot be reached right now. Please try again in a moment.",
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. It has been logged.",
            ),
        };
        let page = MessagePage::new("Sorry", "Something went wrong", text);
        match pages::render(&page) {
            Ok(html) => (status, html).into_response(),
            Err(_) => (status, Html(text.to_string())).into_response(),
        }
    }
}
