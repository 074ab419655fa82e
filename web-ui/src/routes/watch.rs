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
    // What the page reads for its token, one query each: a poll has no use
    // for statement lines or transfers. (The page reads the account and its
    // pending commands within its one statement; the test of that statement
    // checks both ways read the same rows.)
    let account = views.account(account_id).await?;
    let pending = views.pending_commands(Some(account_id)).await?;
    let sent = sent_command(views, account_id, command).await?;
    Ok(AccountWatch::of(account.as_ref(), &pending, command, sent.as_ref()).token)
}

/// The command a page reports on, as the views show it now: the one with
/// this key, or for `close`, the account's latest close.
pub async fn sent_command(
    views: &Views,
    account_id: Uuid,
    command: Option<&str>,
) -> Result<Option<CommandView>, AppError> {
    Ok(match command {
        None => None,
        Some("close") => views
            .commands_of(account_id, "close")
            .await?
            .into_iter()
            .next(),
        Some(key) => views.command(key).await?,
    })
}

/// What an account page is waiting for.
#[derive(Debug)]
pub struct AccountWatch {
    /// The watch token: it changes when anything the page waits for does.
    pub token: String,
    /// Whether anything is still to come: the account not seen yet, the
    /// command not answered, or other commands pending.
    pub waiting: bool,
}

impl AccountWatch {
    /// The watch of a page that shows `account` and its `pending` commands
    /// and reports on the `command` it was sent with, as `sent` shows it.
    ///
    /// A page decides *whether* to watch from the rows it shows, not from
    /// later reads: otherwise it could show an old balance, then see the
    /// command answered, and decide there was nothing to wait for. And the
    /// command is read before the rows it shows, so the token is never newer
    /// than the page: if the views move on in between, the first poll sees
    /// a new token and reloads the page, once.
    pub fn of(
        account: Option<&AccountView>,
        pending: &[CommandView],
        command: Option<&str>,
        sent: Option<&CommandView>,
    ) -> AccountWatch {
        let last = account.map_or(-1, |account| account.last_position);
        let answered = sent.and_then(|command| command.processed_position);
        let waiting =
            account.is_none() || !pending.is_empty() || (command.is_some() && answered.is_none());
        AccountWatch {
            token: format!("{last}:{}:{}", pending.len(), answered.unwrap_or(-1)),
            waiting,
        }
    }
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
