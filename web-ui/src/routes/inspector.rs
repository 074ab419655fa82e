//! `GET /inspector`: the raw messages behind an account or a transfer.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::parse_id;
use crate::AppState;
use crate::error::AppError;
use crate::inspector;
use crate::pages::{self, InspectorPage};
use crate::presenters::{account_row, name_in, names_of, transfer_rows};

/// How many transfers the inspector offers to look into.
const RECENT_TRANSFERS: i64 = 10;

/// Which messages to show.
#[derive(Debug, Default, Deserialize)]
pub struct InspectQuery {
    account: Option<String>,
    transfer: Option<String>,
}

/// `GET /inspector`.
pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<InspectQuery>,
) -> Result<Response, AppError> {
    let accounts = state.views.accounts().await?;
    let names = names_of(&accounts);
    let (subject, messages) = if let Some(account_id) = query.account.as_deref().and_then(parse_id)
    {
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
    let transfers = state.views.recent_transfers(RECENT_TRANSFERS).await?;
    let page = InspectorPage {
        watch: None,
        subject,
        messages,
        transfers: transfer_rows(transfers, &names),
        accounts: accounts.into_iter().map(account_row).collect(),
    };
    Ok(pages::render(&page)?.into_response())
}
