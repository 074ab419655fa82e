//! The account page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;
use views::account_page::StatementLines;
use views::accounts::Account;

use super::watch::{self, AccountWatch};
use super::{AfterCommand, message, parse_id};
use crate::AppState;
use crate::error::AppError;
use crate::form_id::FormId;
use crate::pages::{self, MessagePage, Watch};
use crate::presenters::account::{Destinations, Forms, LINES_READ, account_page};
use crate::presenters::commands::Report;

/// What the account page shows besides the latest: `?lines_before=` a page
/// of earlier statement lines (those before that global position), and
/// `?to=` the accounts a search for a transfer's destination found.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    pub lines_before: Option<i64>,
    pub to: Option<String>,
}

/// How many accounts a search for a destination offers at most.
const DESTINATIONS_FOUND: i64 = 20;

/// `GET /accounts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Query(after): Query<AfterCommand>,
    Query(query): Query<AccountQuery>,
) -> Result<Response, AppError> {
    let Some(account_id) = parse_id(&account_id) else {
        return Ok(no_such_account(StatusCode::NOT_FOUND));
    };
    // The command the page reports on is read first, then everything else
    // in one statement (see `AccountWatch::of` for why in this order).
    let report = after.report(&state.views).await?;
    let lines = StatementLines {
        before: query.lines_before,
        lines: LINES_READ,
    };
    let mut view = state.views.account_page(account_id, lines).await?;
    let watching = AccountWatch::of(view.account.as_ref(), &view.pending, &report);
    let watch = watching.waiting.then(|| Watch {
        url: watch::account_url(account_id, after.form_id().map(FormId::message_id)),
        token: watching.token,
        refresh_without_script: true,
    });
    let Some(account) = view.account.clone().filter(Account::was_opened) else {
        // The open form's id is the one the new account's id derives from.
        if after.form_id().map(FormId::derived_id) == Some(account_id) {
            return opening(report, watch);
        }
        return Ok(no_such_account(StatusCode::NOT_FOUND));
    };
    let search = super::searched(query.to.as_deref());
    let destinations = match search {
        Some(text) => {
            let found = state.views.find_accounts(text, DESTINATIONS_FOUND).await?;
            Destinations {
                accounts: found.accounts,
                search: Some((text.to_string(), found.more)),
            }
        }
        None => Destinations {
            accounts: std::mem::take(&mut view.destinations),
            search: None,
        },
    };
    let page = account_page(
        account,
        view,
        destinations,
        &report,
        Forms::fresh(),
        watch,
        query.lines_before,
    );
    Ok(pages::render(&page)?.into_response())
}

/// An account whose `Open` was sent, and that the views have not seen yet.
fn opening(report: Report, watch: Option<Watch>) -> Result<Response, AppError> {
    let mut text = String::from(
        "The account component has been asked to open the account. This page shows it as \
         soon as the views have caught up.",
    );
    if report.duplicate {
        text.push_str(" This form had already been sent: the account is opened once.");
    }
    let mut page = MessagePage::new("Opening", "Opening the account", &text);
    page.watch = watch;
    Ok(pages::render(&page)?.into_response())
}

/// The account a form was posted to, if it exists and was opened.
pub(super) async fn opened_account(
    state: &AppState,
    account_id: &str,
) -> Result<Option<Account>, AppError> {
    let Some(account_id) = parse_id(account_id) else {
        return Ok(None);
    };
    Ok(state
        .views
        .account(account_id)
        .await?
        .filter(Account::was_opened))
}

/// The page for an account that does not exist.
pub(super) fn no_such_account(status: StatusCode) -> Response {
    message(
        status,
        "No such account",
        "No such account",
        "There is no account with this id.",
    )
}

/// Shows the account page again with a form's error, as 422: nothing was
/// sent.
pub(super) async fn refuse(
    state: &AppState,
    account: Account,
    forms: Forms,
) -> Result<Response, AppError> {
    let account_id: Uuid = account.account_id;
    let lines = StatementLines {
        before: None,
        lines: LINES_READ,
    };
    let mut view = state.views.account_page(account_id, lines).await?;
    let report = Report::default();
    let watching = AccountWatch::of(view.account.as_ref(), &view.pending, &report);
    let watch = watching.waiting.then(|| Watch {
        url: watch::account_url(account_id, None),
        token: watching.token,
        refresh_without_script: true,
    });
    // The account as the page's one statement read it, so that the page
    // agrees with itself.
    let account = view
        .account
        .clone()
        .filter(Account::was_opened)
        .unwrap_or(account);
    // The destination the form had chosen stays chosen, though it may not
    // be among the newest accounts the page offers.
    let mut offered = std::mem::take(&mut view.destinations);
    if let Some(chosen) = forms.chosen_destination
        && !offered.iter().any(|other| other.account_id == chosen)
        && let Some(chosen) = state
            .views
            .account(chosen)
            .await?
            .filter(Account::was_opened)
    {
        offered.insert(0, chosen);
    }
    let destinations = Destinations {
        accounts: offered,
        search: None,
    };
    let page = account_page(account, view, destinations, &report, forms, watch, None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(&page)?).into_response())
}
