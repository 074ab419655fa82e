//! Sending a form's command, and answering the browser: the one ending every
//! form of the bank shares.
//!
//! A form carries a command id, generated when the page was rendered. That
//! id becomes the command's transaction id (the deposit id, the transfer id,
//! the new account's id) *and* the id of the message that carries it. The
//! store takes a message id once, so a form sent twice (a double click, the
//! back button) writes its command once: the second write fails with
//! `DuplicateMessageId`, and the page says the form had been sent already.
//! (A command sent twice under two message ids would be stopped one layer
//! down, by the account's reservation stream.)
//!
//! The answer follows post/redirect/get: `303 See Other` to the page that
//! shows the command, with `?command={id}`, where it shows as pending until
//! the views have its outcome. Reloading that page never posts again.

use account_component::client::AccountCommand;
use axum::response::{IntoResponse, Redirect, Response};
use funds_transfer_component::client::TransferCommand;
use messaging::{MessageStore, StoreError};
use uuid::Uuid;

use crate::error::AppError;

/// A command a form sends, through its component's client.
#[derive(Debug)]
pub enum FormCommand {
    Account(AccountCommand),
    Transfer(TransferCommand),
}

impl From<AccountCommand> for FormCommand {
    fn from(command: AccountCommand) -> Self {
        FormCommand::Account(command)
    }
}

impl From<TransferCommand> for FormCommand {
    fn from(command: TransferCommand) -> Self {
        FormCommand::Transfer(command)
    }
}

/// Sends `command` in a message whose id is the form's `command_id`, and
/// answers with a redirect to `page`, which shows the command: pending, or
/// already sent.
pub async fn send(
    store: &MessageStore,
    command: impl Into<FormCommand>,
    command_id: Uuid,
    page: &str,
) -> Result<Response, AppError> {
    let sent = match command.into() {
        FormCommand::Account(command) => command.with_message_id(command_id).send(store).await,
        FormCommand::Transfer(command) => command.with_message_id(command_id).send(store).await,
    };
    let location = format!("{page}?command={command_id}");
    match sent {
        Ok(_) => Ok(see_other(&location)),
        Err(StoreError::DuplicateMessageId { .. }) => {
            Ok(see_other(&format!("{location}&duplicate=1")))
        }
        Err(error) => Err(error.into()),
    }
}

/// `303 See Other` to `location`: after a POST, the browser GETs the page.
fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}
