//! `GET /watch`: a short text that changes when what a pending page shows
//! would change. The page's script polls it and reloads on a change.

use aggregator::Views;
use aggregator::queries::{AccountView, CommandView, TransferView};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::parse_id;
use crate::AppState;
use crate::error::AppError;

/// What to watch: an account (and a command sent to it), a transfer, or the
/// operations page.
#[derive(Debug, Default, Deserialize)]
pub struct WatchQuery {
    account: Option<String>,
    command: Option<String>,
    transfer: Option<String>,
    operations: Option<String>,
}

/// `GET /watch?...`.
pub async fn token(
    State(state): State<AppState>,
    Query(query): Query<WatchQuery>,
) -> Result<Response, AppError> {
    let token = if let Some(account_id) = query.account.as_deref().and_then(parse_id) {
        account_token(&state.views, account_id, query.command.as_deref()).await?
    } else if let Some(transfer_id) = query.transfer.as_deref().and_then(parse_id) {
        transfer_token(&state.views, transfer_id).await?
    } else if query.operations.is_some() {
        operations_token(&state.views).await?
    } else {
        String::new()
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        token,
    )
        .into_response())
}

/// The watch URL of an account page.
pub fn account_url(account_id: Uuid, command: Option<&str>) -> String {
    match command {
        Some(command) => format!("/watch?account={account_id}&command={command}"),
        None => format!("/watch?account={account_id}"),
    }
}

/// Changes when the account moves on, its pending list changes, or the
/// command is answered.
pub async fn account_token(
    views: &Views,
    account_id: Uuid,
    command: Option<&str>,
) -> Result<String, AppError> {
    Ok(account_watch(views, account_id, command).await?.token)
}

/// What an account page is waiting for, read at one moment.
#[derive(Debug)]
pub struct AccountWatch {
    /// The watch token at that moment.
    pub token: String,
    /// Whether anything was still to come at that moment: the account not
    /// seen yet, the command not answered, or other commands pending.
    pub waiting: bool,
    /// The account as read for the token, if the views have it. The page
    /// shows this very row, so what it shows and the token it watches with
    /// come from the same moment (and the page reads it once, not twice).
    pub account: Option<AccountView>,
    /// The account's pending commands as read for the token.
    pub pending: Vec<CommandView>,
}

/// The token of an account page and whether it has anything to wait for,
/// from the same reads. A page decides *whether* to watch from this, not
/// from its own later reads: otherwise it could show an old balance, then
/// see the command answered, and decide there was nothing to wait for.
pub async fn account_watch(
    views: &Views,
    account_id: Uuid,
    command: Option<&str>,
) -> Result<AccountWatch, AppError> {
    let account = views.account(account_id).await?;
    let last = account.as_ref().map_or(-1, |account| account.last_position);
    let pending_commands = views.pending_commands(Some(account_id)).await?;
    let pending = pending_commands.len();
    let answered = match command {
        Some("close") => views
            .commands_of(account_id, "close")
            .await?
            .first()
            .and_then(|command| command.processed_position),
        Some(key) => views
            .command(key)
            .await?
            .and_then(|command| command.processed_position),
        None => None,
    };
    let waiting = account.is_none() || pending > 0 || (command.is_some() && answered.is_none());
    Ok(AccountWatch {
        token: format!("{last}:{pending}:{}", answered.unwrap_or(-1)),
        waiting,
        account,
        pending: pending_commands,
    })
}

/// Changes with the transfer's status.
pub async fn transfer_token(views: &Views, transfer_id: Uuid) -> Result<String, AppError> {
    Ok(token_of_transfer(
        views.transfer(transfer_id).await?.as_ref(),
    ))
}

/// The token of a transfer as read.
pub fn token_of_transfer(transfer: Option<&TransferView>) -> String {
    transfer.map_or_else(|| "unseen".to_string(), |transfer| transfer.status.clone())
}

/// Changes when any consumer's position or lag changes.
pub async fn operations_token(views: &Views) -> Result<String, AppError> {
    let consumers = views.consumers().await?;
    let dead_letters = views.dead_letters().await?.len();
    let positions: Vec<String> = consumers
        .iter()
        .map(|consumer| format!("{}/{}", consumer.position.unwrap_or(-1), consumer.lag))
        .collect();
    Ok(format!("{}|{dead_letters}", positions.join(",")))
}
