//! The routes, one module per area: each reads the views (or, for a form,
//! checks the input and sends a command) and hands what it read to a
//! presenter.
//!
//! Every form follows post/redirect/get (see [`crate::send`]): a valid POST
//! writes one command and answers `303 See Other` to a page that shows it
//! pending, so reloading that page never posts again. An invalid POST writes
//! nothing and shows the form again, with the error beside the field, as
//! `422 Unprocessable Entity`.

pub mod account_commands;
pub mod accounts;
pub mod assets;
pub mod events;
pub mod home;
pub mod inspector;
pub mod operations;
pub mod transfers;
pub mod watch;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;
use views::Views;

use crate::error::AppError;
use crate::form_id::FormId;
use crate::pages::{self, MessagePage};
use crate::presenters::commands::Report;

/// Any path that is not a page.
pub async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing here",
        "The page you asked for does not exist.",
    )
}

/// A page with a heading and a sentence, with a status code.
fn message(status: StatusCode, title: &str, heading: &str, text: &str) -> Response {
    match pages::render(&MessagePage::new(title, heading, text)) {
        Ok(html) => (status, html).into_response(),
        Err(error) => AppError::from(error).into_response(),
    }
}

/// What was typed into a search field, if anything was (spaces around it
/// do not count).
fn searched(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// An id from a path or a query, if it is one.
fn parse_id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}

/// What a page shown after a form says (`?command={id}&duplicate=1`):
/// which command it reports on, and whether the form had been sent before.
#[derive(Debug, Default, Deserialize)]
pub struct AfterCommand {
    pub command: Option<String>,
    pub duplicate: Option<String>,
}

impl AfterCommand {
    /// The form's id, if the page was reached from a form.
    pub fn form_id(&self) -> Option<FormId> {
        self.command
            .as_deref()
            .and_then(parse_id)
            .map(FormId::of_message)
    }

    /// The report on that command, as the views show it now.
    async fn report(&self, views: &Views) -> Result<Report, AppError> {
        let sent = match self.form_id() {
            Some(form) => views.sent_command(form.message_id()).await?,
            None => None,
        };
        Ok(Report {
            after_a_form: self.form_id().is_some(),
            duplicate: self.duplicate.is_some(),
            sent,
        })
    }
}
