//! Sending a form's command, and answering the browser: the one ending every
//! form of the bank shares.
//!
//! A form carries an id, generated when the page was rendered. That id is
//! the id of the message that carries its command, and the command's own
//! ids (the deposit id, the transfer id, the new account's id) are derived
//! from it (`form_id.rs` says why they are not the id itself). The store
//! takes a message id once, so a form sent twice (a double click, the back
//! button) writes its command once: the second write fails with
//! `DuplicateMessageId`, and the page says the form had been sent already.
//! (A command sent twice under two message ids would be stopped one layer
//! down, by the account's reservation stream.)
//!
//! The answer follows post/redirect/get: `303 See Other` to the page that
//! shows the command, with `?command={id}`, where it shows as pending until
//! the views have its outcome. Reloading that page never posts again.
//!
//! And when the store took the command but its answer was lost (the
//! connection broke after the write was sent), nobody can say whether the
//! bank has it. The page says exactly that, and offers the very same form to
//! send again: with the same id, sending it again is safe, since the bank
//! takes that id once. Telling such a person "nothing was sent" would be a
//! lie that invites a second form with a new id, and the money moving twice.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use messaging::{Command, MessageStore, StoreError};

use crate::error::AppError;
use crate::form_id::FormId;
use crate::pages::{self, ResendPage};

/// A form as it was posted: where to, and its fields, so that it can be
/// offered again exactly as it was.
#[derive(Debug)]
pub struct PostedForm {
    /// The path it was posted to.
    pub action: String,
    /// Its fields, by name, as they were sent (the command id among them).
    pub fields: Vec<(&'static str, String)>,
}

/// Sends `command` in a message whose id is the form's id, and
/// answers with a redirect to `page`, which shows the command: pending, or
/// already sent. If the command's fate is unknown, the answer is `form`,
/// offered again.
pub async fn send(
    store: &MessageStore,
    command: Command,
    form_id: FormId,
    page: &str,
    form: PostedForm,
) -> Result<Response, AppError> {
    let message_id = form_id.message_id();
    let sent = command.with_message_id(message_id).send(store).await;
    let location = format!("{page}?command={message_id}");
    match sent {
        Ok(_) => Ok(see_other(&location)),
        Err(StoreError::DuplicateMessageId { .. }) => {
            Ok(see_other(&format!("{location}&duplicate=1")))
        }
        Err(error) if error.outcome_is_unknown() => {
            tracing::warn!(%error, %message_id, "a form's command may or may not have been written");
            let page = ResendPage {
                watch: None,
                action: form.action,
                fields: form.fields,
            };
            Ok((StatusCode::SERVICE_UNAVAILABLE, pages::render(&page)?).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// `303 See Other` to `location`: after a POST, the browser GETs the page.
fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}
