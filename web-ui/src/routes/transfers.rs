//! Transfers: the transfer page, the transfer form of the account page, and
//! the release of the money a transfer holds (from the operations page).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};

use super::accounts::{no_such_account, opened_account, refuse};
use super::{AfterCommand, message, parse_id, watch};
use crate::AppState;
use crate::error::AppError;
use crate::form_id::FormId;
use crate::format;
use crate::forms::{self, ReleaseInput, TransferInput};
use crate::pages::{self, ReleaseForm, TransferPage, Watch};
use crate::presenters::account::Forms;
use crate::presenters::commands::notices;
use crate::presenters::name_in;
use crate::presenters::operations::RefusedRelease;
use crate::presenters::transfer::details;
use crate::send::{PostedForm, send};

/// `GET /transfers/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(transfer_id): Path<String>,
    Query(after): Query<AfterCommand>,
) -> Result<Response, AppError> {
    let Some(transfer_id) = parse_id(&transfer_id) else {
        return Ok(no_such_transfer());
    };
    let mut report = after.report(&state.views).await?;
    // The transfer's own page says how it goes, step by step; a notice
    // about the command would only repeat it.
    report.after_a_form = false;
    let view = state.views.transfer(transfer_id).await?;
    let command = match view {
        Some(_) => None,
        None => state.views.transfer_command(transfer_id).await?,
    };
    // A transfer just sent from its form has the id the form derived, and
    // may not be in the views yet.
    let just_sent = after.form_id().map(FormId::derived_id) == Some(transfer_id);
    if view.is_none() && !just_sent && command.is_none() {
        return Ok(no_such_transfer());
    }
    // The token is the status shown, taken from the very row rendered, so
    // page and token always agree.
    let waiting = view
        .as_ref()
        .is_none_or(|transfer| !transfer.status.has_ended());
    let watch = waiting.then(|| Watch {
        url: format!("/watch?transfer={transfer_id}"),
        token: watch::token_of_transfer(view.as_ref()),
        refresh_without_script: true,
    });
    let transfer = match view {
        Some(view) => {
            let names = state
                .views
                .holder_names([view.withdrawal_account_id, view.deposit_account_id])
                .await?;
            Some(details(view, &names))
        }
        None => None,
    };
    // Not seen by the views yet: what was asked, as far as the command says.
    let requested = match command
        .as_ref()
        .and_then(|c| Some((c.amount?, c.account_id?)))
    {
        Some((amount, from)) => {
            let names = state.views.holder_names([from]).await?;
            Some(format!(
                "{} from {}",
                format::money(amount),
                name_in(&names, from)
            ))
        }
        None => None,
    };
    let page = TransferPage {
        watch,
        notices: notices(&report),
        id: transfer_id.to_string(),
        transfer,
        requested,
    };
    Ok(pages::render(&page)?.into_response())
}

/// `POST /accounts/{id}/transfers`: from this account to the one chosen.
pub async fn transfer(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<TransferInput>,
) -> Result<Response, AppError> {
    let Some(account) = opened_account(&state, &account_id).await? else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let account_id = account.account_id;
    let checked = match forms::account_id(input.to_account_id.as_deref()) {
        Ok(id) if id == account_id => Err("Choose another account than this one.".to_string()),
        Ok(id) => match opened_account(&state, &id.to_string()).await? {
            Some(_) => Ok(id),
            None => Err("There is no such account.".to_string()),
        },
        Err(error) => Err(error),
    }
    .and_then(|destination| {
        let form_id = FormId::parse(input.command_id.as_deref())?;
        let amount = forms::amount(input.amount.as_deref())?;
        let reference = forms::reference(input.reference.as_deref())?;
        Ok((form_id, destination, amount, reference))
    });
    let (form_id, destination, amount, reference) = match checked {
        Ok(valid) => valid,
        Err(error) => return refuse(&state, account, refused_form(&input, error)).await,
    };
    let funds_transfer_id = form_id.derived_id();
    let transfer = Transfer {
        funds_transfer_id,
        withdrawal_account_id: account_id,
        deposit_account_id: destination,
        amount,
        time: state.clock.now(),
        reference: reference.clone(),
    };
    let page = format!("/transfers/{funds_transfer_id}");
    let form = PostedForm {
        action: format!("/accounts/{account_id}/transfers"),
        fields: [
            ("command_id", form_id.to_string()),
            ("to_account_id", destination.to_string()),
            ("amount", amount.to_string()),
        ]
        .into_iter()
        .chain(reference.map(|reference| ("reference", reference)))
        .collect(),
    };
    let command = TransferCommand::transfer(&transfer)?;
    send(&state.store, command, form_id, &page, form).await
}

/// `POST /transfers/{id}/release`: an operator pays the money a transfer
/// holds into an open account of their choosing. Checked against the views
/// first (the transfer holds money, the account is open), so that a mistake
/// is shown at once; the funds-transfer component checks again, from the
/// transfer's own events, and parks a release of money not held.
pub async fn release(
    State(state): State<AppState>,
    Path(transfer_id): Path<String>,
    Form(input): Form<ReleaseInput>,
) -> Result<Response, AppError> {
    let Some(transfer_id) = parse_id(&transfer_id) else {
        return Ok(no_such_transfer());
    };
    let held = state
        .views
        .transfer(transfer_id)
        .await?
        .filter(|transfer| transfer.status.holds_money());
    let Some(transfer) = held else {
        return Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing to release",
            "Nothing to release",
            "This transfer holds no money for the bank to release.",
        ));
    };
    let account = match forms::account_id(input.account_id.as_deref()) {
        Ok(id) => match opened_account(&state, &id.to_string()).await? {
            Some(account) if account.is_open() => Ok(account.account_id),
            Some(_) => Err("That account is closed: choose an open one.".to_string()),
            None => Err("There is no such account.".to_string()),
        },
        Err(_) => Err("Enter the id of the account to pay the money into.".to_string()),
    };
    let checked = account.and_then(|account_id| {
        let form_id = FormId::parse(input.command_id.as_deref())?;
        Ok((form_id, account_id))
    });
    let (form_id, account_id) = match checked {
        Ok(valid) => valid,
        Err(error) => {
            let form = ReleaseForm {
                command_id: FormId::parse(input.command_id.as_deref())
                    .unwrap_or_default()
                    .to_string(),
                account_id: input.account_id.clone().unwrap_or_default(),
                error: Some(error),
            };
            let refused = RefusedRelease {
                funds_transfer_id: transfer.funds_transfer_id,
                form,
            };
            return super::operations::page(&state, Some(refused)).await;
        }
    };
    let release = ReleaseHeldRefund {
        funds_transfer_id: transfer_id,
        release_id: form_id.derived_id(),
        account_id,
        time: state.clock.now(),
    };
    let page = format!("/transfers/{transfer_id}");
    let form = PostedForm {
        action: format!("{page}/release"),
        fields: vec![
            ("command_id", form_id.to_string()),
            ("account_id", account_id.to_string()),
        ],
    };
    let command = TransferCommand::release_held_refund(&release)?;
    send(&state.store, command, form_id, &page, form).await
}

/// The account page's forms, with the transfer form as submitted and its
/// error.
fn refused_form(input: &TransferInput, error: String) -> Forms {
    let mut forms = Forms::fresh();
    forms.transfer.command_id = FormId::parse(input.command_id.as_deref())
        .unwrap_or_default()
        .to_string();
    forms.transfer.amount = input.amount.clone().unwrap_or_default();
    forms.transfer.reference = input.reference.clone().unwrap_or_default();
    forms.transfer.error = Some(error);
    forms.chosen_destination = input.to_account_id.as_deref().and_then(parse_id);
    forms
}

fn no_such_transfer() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such transfer",
        "No such transfer",
        "There is no transfer with this id.",
    )
}
