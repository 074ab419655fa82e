//! What a waiting page waits for: its *token*, a short text that changes
//! when what the page shows would change. `GET /watch` answers it once (the
//! fallback for a browser without live updates); `GET /events` streams it
//! as it changes (`events.rs`).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;
use views::Views;
use views::accounts::Account;
use views::commands::Command;
use views::transfers::Transfer;

use super::parse_id;
use crate::AppState;
use crate::error::AppError;
use crate::presenters::commands::Report;

/// What to watch: an account (and a command sent to it), a transfer, or the
/// operations page.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WatchQuery {
    account: Option<String>,
    command: Option<String>,
    transfer: Option<String>,
    operations: Option<String>,
    home: Option<String>,
}

impl WatchQuery {
    /// The token of what this query watches, as the views show it now
    /// (empty when it watches nothing).
    pub async fn current_token(&self, views: &Views) -> Result<String, AppError> {
        let command = self.command.as_deref().and_then(parse_id);
        Ok(
            if let Some(account_id) = self.account.as_deref().and_then(parse_id) {
                account_token(views, account_id, command).await?
            } else if let Some(transfer_id) = self.transfer.as_deref().and_then(parse_id) {
                token_of_transfer(views.transfer(transfer_id).await?.as_ref())
            } else if self.operations.is_some() {
                operations_token(views).await?
            } else if self.home.is_some() {
                home_token(views).await?
            } else {
                String::new()
            },
        )
    }
}

/// `GET /watch?...`: the token, once, as plain text.
pub async fn token(
    State(state): State<AppState>,
    Query(query): Query<WatchQuery>,
) -> Result<Response, AppError> {
    let token = query.current_token(&state.views).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        token,
    )
        .into_response())
}

/// The watch URL of an account page, reporting on `command` if it does.
pub fn account_url(account_id: Uuid, command: Option<Uuid>) -> String {
    match command {
        Some(command) => format!("/watch?account={account_id}&command={command}"),
        None => format!("/watch?account={account_id}"),
    }
}

/// Changes when the account moves on, its pending list changes, or the
/// command is answered.
async fn account_token(
    views: &Views,
    account_id: Uuid,
    command: Option<Uuid>,
) -> Result<String, AppError> {
    // What the page reads for its token, one query each: a poll has no use
    // for statement lines or transfers. (The page reads the account and its
    // pending commands within its one statement; the test of that statement
    // checks both ways read the same rows.)
    let sent = match command {
        Some(id) => views.sent_command(id).await?,
        None => None,
    };
    let report = Report {
        after_a_form: command.is_some(),
        duplicate: false,
        sent,
    };
    let account = views.account(account_id).await?;
    let pending = views.pending_commands(Some(account_id)).await?;
    Ok(AccountWatch::of(account.as_ref(), &pending, &report).token)
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
    /// and reports on a command as `report` says.
    ///
    /// A page decides *whether* to watch from the rows it shows, not from
    /// later reads: otherwise it could show an old balance, then see the
    /// command answered, and decide there was nothing to wait for. And the
    /// command is read before the rows it shows, so the token is never newer
    /// than the page: if the views move on in between, the first poll sees
    /// a new token and reloads the page, once.
    pub fn of(account: Option<&Account>, pending: &[Command], report: &Report) -> AccountWatch {
        let last = account.map_or(-1, |account| account.last_position);
        let answered = report
            .sent
            .as_ref()
            .and_then(|command| command.processed_position);
        let waiting =
            account.is_none() || !pending.is_empty() || (report.after_a_form && answered.is_none());
        AccountWatch {
            token: format!("{last}:{}:{}", pending.len(), answered.unwrap_or(-1)),
            waiting,
        }
    }
}

/// The token of a transfer as read: its status.
pub fn token_of_transfer(transfer: Option<&Transfer>) -> String {
    transfer.map_or_else(
        || "unseen".to_string(),
        |transfer| transfer.status.to_string(),
    )
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

/// The home page's watch URL.
pub const HOME_URL: &str = "/watch?home=1";

/// Changes whenever the views do: the home page's recent transfers and its
/// newest accounts move with anything. (The page keeps what is being typed
/// in its forms when it changes in place.)
pub async fn home_token(views: &Views) -> Result<String, AppError> {
    // Only what the home page shows: the accounts and the recent transfers,
    // which move only when the aggregator applies a batch of events (the
    // positions it applied). Not the consumers' progress, which the
    // aggregator rewrites every second: a token made of it changed every
    // second on an idle bank, and the page replaced itself under the
    // visitor's pointer, eating one click in four.
    Ok(views.applied_positions().await?.to_string())
}
