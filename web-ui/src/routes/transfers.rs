//! The transfer page: its steps as they happen.

use aggregator::queries::TransferView;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::accounts::AfterCommand;
use super::{account_names, message, parse_id, short_id, watch};
use crate::AppState;
use crate::error::AppError;
use crate::pages::{self, Notice, Step, TransferDetails, TransferPage, Watch, display_time};

/// `GET /transfers/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(transfer_id): Path<String>,
    Query(after): Query<AfterCommand>,
) -> Result<Response, AppError> {
    let Some(transfer_id) = parse_id(&transfer_id) else {
        return Ok(no_such_transfer());
    };
    let mut notices = Vec::new();
    if after.duplicate.is_some() {
        notices.push(Notice::info(
            "This transfer had already been sent. The bank received it once, and moves the money once.",
        ));
    }
    let view = state.views.transfer(transfer_id).await?;
    let just_sent = after.command.as_deref() == Some(transfer_id.to_string().as_str());
    let requested = state
        .views
        .command(&transfer_id.to_string())
        .await?
        .is_some();
    if view.is_none() && !just_sent && !requested {
        return Ok(no_such_transfer());
    }
    let watching = view
        .as_ref()
        .is_none_or(|transfer| !transfer.has_ended() && transfer.status != "refund rejected");
    // The token is the status shown, taken from the very row rendered, so
    // page and token always agree.
    let watch = watching.then(|| Watch {
        url: format!("/watch?transfer={transfer_id}"),
        token: watch::token_of_transfer(view.as_ref()),
    });
    let transfer = match view {
        Some(view) => Some(details(&state, view).await?),
        None => None,
    };
    let page = TransferPage {
        watch,
        notices,
        id: transfer_id.to_string(),
        transfer,
    };
    Ok(pages::render(&page)?.into_response())
}

fn no_such_transfer() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "No such transfer",
        "No such transfer",
        "There is no transfer with this id.",
    )
}

async fn details(state: &AppState, view: TransferView) -> Result<TransferDetails, AppError> {
    let names = account_names(&state.views).await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| short_id(id));
    Ok(TransferDetails {
        from: name(&view.withdrawal_account_id),
        to: name(&view.deposit_account_id),
        amount: view.amount.to_string(),
        steps: steps(&view),
        from_id: view.withdrawal_account_id,
        to_id: view.deposit_account_id,
        status_class: pages::status_class(&view.status),
        status: view.status,
        reason: view.reason,
    })
}

/// The steps of the path this transfer took, each done, failed or waiting.
fn steps(view: &TransferView) -> Vec<Step> {
    let step = |label, time: &Option<String>| Step {
        label,
        state: if time.is_some() { "done" } else { "waiting" },
        time: time.as_deref().map(display_time),
    };
    let failed = |label, time: &Option<String>| Step {
        label,
        state: "failed",
        time: time.as_deref().map(display_time),
    };
    let mut steps = vec![step("Requested", &Some(view.requested_time.clone()))];
    if view.rejected_time.is_some() {
        steps.push(failed("Refused before it started", &view.rejected_time));
        return steps;
    }
    steps.push(step("Initiated", &view.initiated_time));
    if view.cancelled_time.is_some() {
        steps.push(failed(
            "Withdrawal refused: cancelled, nothing moved",
            &view.cancelled_time,
        ));
        return steps;
    }
    steps.push(step(
        "Withdrawn from the source account",
        &view.withdrawn_time,
    ));
    if view.deposit_rejected_time.is_some() {
        steps.push(failed(
            "Deposit refused by the destination account",
            &view.deposit_rejected_time,
        ));
        if view.refund_rejected_time.is_some() {
            steps.push(failed(
                "Refund refused: the money is held by the bank",
                &view.refund_rejected_time,
            ));
        } else {
            steps.push(step(
                "Refunded to the source account: reversed",
                &view.reversed_time,
            ));
        }
        return steps;
    }
    steps.push(step(
        "Deposited into the destination account",
        &view.deposited_time,
    ));
    steps.push(step("Transferred", &view.transferred_time));
    steps
}
