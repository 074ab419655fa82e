//! `GET /inspector`: the raw messages behind an account or a transfer.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{account_names, parse_id, transfer_rows};
use crate::AppState;
use crate::error::AppError;
use crate::inspector;
use crate::pages::{self, AccountRow, InspectorPage};

/// Which messages to show.
#[derive(Debug, Default, Deserialize)]
pub struct InspectQuery {
    account: Option<String>,
    transfer: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Query(query): Query<InspectQuery>,
) -> Result<Response, AppError> {
    let names = account_names(&state.views).await?;
    let (subject, messages) = if let Some(account_id) = query.account.as_deref().and_then(parse_id)
    {
        let name = names
            .get(&account_id.to_string())
            .cloned()
            .unwrap_or_default();
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
    let accounts = state
        .views
        .accounts()
        .await?
        .into_iter()
        .map(|account| AccountRow {
            holder: account.holder_name.unwrap_or_default(),
            balance: account.balance.to_string(),
            status: account.status,
            id: account.account_id,
        })
        .collect();
    let page = InspectorPage {
        watch: None,
        subject,
        messages,
        accounts,
        transfers: transfer_rows(state.views.recent_transfers(10).await?, &names),
    };
    Ok(pages::render(&page)?.into_response())
}
