//! The pages and forms, one module per area.
//!
//! Every form follows post/redirect/get: a valid POST writes one command and
//! answers `303 See Other` to a page that shows it pending, so reloading that
//! page never posts again. An invalid POST writes nothing and shows the form
//! again, with the error beside the field, as `422 Unprocessable Entity`.

pub mod accounts;
pub mod assets;
pub mod home;
pub mod inspector;
pub mod operations;
pub mod transfers;
pub mod watch;

use std::collections::HashMap;

use aggregator::Views;
use aggregator::queries::{AccountView, TransferView};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use crate::error::AppError;
use crate::pages::{self, MessagePage, TransferRow, display_time};

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

/// An id from a path or a query, if it is one.
fn parse_id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}

/// `303 See Other` to `location`: after a POST, the browser GETs the page.
fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// The holder's name of every account, to label transfers.
async fn account_names(views: &Views) -> Result<HashMap<String, String>, AppError> {
    Ok(names_of(&views.accounts().await?))
}

/// Each account's holder name, by account id.
fn names_of(accounts: &[AccountView]) -> HashMap<String, String> {
    accounts
        .iter()
        .map(|account| {
            let name = account
                .holder_name
                .clone()
                .unwrap_or_else(|| short_id(&account.account_id));
            (account.account_id.clone(), name)
        })
        .collect()
}

/// The first block of an id, for places where no name is known.
fn short_id(id: &str) -> String {
    id.split('-').next().unwrap_or(id).to_string()
}

fn transfer_rows(
    transfers: Vec<TransferView>,
    names: &HashMap<String, String>,
) -> Vec<TransferRow> {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| short_id(id));
    transfers
        .into_iter()
        .map(|transfer| TransferRow {
            from: name(&transfer.withdrawal_account_id),
            to: name(&transfer.deposit_account_id),
            amount: transfer.amount.to_string(),
            status_class: pages::status_class(&transfer.status),
            status: transfer.status,
            requested: display_time(&transfer.requested_time),
            id: transfer.funds_transfer_id,
        })
        .collect()
}
