//! `GET /inspector`: the raw messages behind an account or a transfer.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use views::directory::PageStart;

use super::parse_id;
use crate::AppState;
use crate::error::AppError;
use crate::inspector;
use crate::pages::{self, InspectorPage};
use crate::presenters::{account_row, name_in, parties, transfer_rows};

/// How many transfers the inspector offers to look into.
const RECENT_TRANSFERS: i64 = 10;

/// How many accounts the inspector offers to look into, newest first, or at
/// most for a search.
const ACCOUNTS_OFFERED: i64 = 10;

/// Which messages to show, and which accounts to offer (`?find=`: those
/// whose holder name starts with it).
#[derive(Debug, Default, Deserialize)]
pub struct InspectQuery {
    account: Option<String>,
    transfer: Option<String>,
    find: Option<String>,
}

/// `GET /inspector`.
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<InspectQuery>,
) -> Result<Response, AppError> {
    let (subject, messages) = if let Some(account_id) = query.account.as_deref().and_then(parse_id)
    {
        let names = state.views.holder_names([account_id]).await?;
        let name = name_in(&names, account_id);
        (
            Some(format!("Account {name} ({account_id})")),
            inspector::account(&state.store, account_id).await?,
        )
    } else if let Some(transfer_id) = query.transfer.as_deref().and_then(parse_id) {
        (
            Some(format!("Transfer {transfer_id}")),
            inspector::transfer(&state.store, transfer_id).await?,
        )
    } else {
        (None, Vec::new())
    };
    let find = super::searched(query.find.as_deref());
    let accounts = match find {
        Some(text) => {
            state
                .views
                .find_accounts(text, ACCOUNTS_OFFERED)
                .await?
                .accounts
        }
        None => {
            state
                .views
                .accounts_page(PageStart::Newest, ACCOUNTS_OFFERED)
                .await?
                .accounts
        }
    };
    let transfers = state.views.recent_transfers(RECENT_TRANSFERS).await?;
    let names = state.views.holder_names(parties(&transfers)).await?;
    let page = InspectorPage {
        watch: None,
        subject,
        messages,
        transfers: transfer_rows(transfers, &names),
        accounts: accounts.into_iter().map(account_row).collect(),
        find: find.unwrap_or_default().to_string(),
    };
    Ok(pages::render(&page)?.into_response())
}
