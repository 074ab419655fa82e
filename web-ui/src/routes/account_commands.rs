//! The account page's forms: deposit, withdraw, close. (The transfer form
//! posts to the transfer routes.)

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Withdraw};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::accounts::{no_such_account, opened_account, refuse};
use crate::AppState;
use crate::error::AppError;
use crate::forms::{self, AmountInput, CloseInput};
use crate::pages::AmountForm;
use crate::presenters::account::Forms;
use crate::send::{PostedForm, send};

/// `POST /accounts/{id}/deposits`.
pub async fn deposit(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<AmountInput>,
) -> Result<Response, AppError> {
    let Some(account) = opened_account(&state, &account_id).await? else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let (deposit_id, amount) = match forms::command_id_and_amount(&input) {
        Ok(valid) => valid,
        Err(error) => {
            let mut forms = Forms::fresh();
            forms.deposit = amount_form(&input, error);
            return refuse(&state, account, forms).await;
        }
    };
    let account_id = account.account_id;
    let deposit = Deposit {
        deposit_id,
        account_id,
        amount,
        time: state.clock.now(),
    };
    let page = format!("/accounts/{account_id}");
    let form = PostedForm {
        action: format!("{page}/deposits"),
        fields: vec![
            ("command_id", deposit_id.to_string()),
            ("amount", amount.to_string()),
        ],
    };
    let command = AccountCommand::deposit(&deposit)?;
    send(&state.store, command, deposit_id, &page, form).await
}

/// `POST /accounts/{id}/withdrawals`.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<AmountInput>,
) -> Result<Response, AppError> {
    let Some(account) = opened_account(&state, &account_id).await? else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let (withdrawal_id, amount) = match forms::command_id_and_amount(&input) {
        Ok(valid) => valid,
        Err(error) => {
            let mut forms = Forms::fresh();
            forms.withdraw = amount_form(&input, error);
            return refuse(&state, account, forms).await;
        }
    };
    let account_id = account.account_id;
    let withdraw = Withdraw {
        withdrawal_id,
        account_id,
        amount,
        time: state.clock.now(),
    };
    let page = format!("/accounts/{account_id}");
    let form = PostedForm {
        action: format!("{page}/withdrawals"),
        fields: vec![
            ("command_id", withdrawal_id.to_string()),
            ("amount", amount.to_string()),
        ],
    };
    let command = AccountCommand::withdraw(&withdraw)?;
    send(&state.store, command, withdrawal_id, &page, form).await
}

/// `POST /accounts/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<CloseInput>,
) -> Result<Response, AppError> {
    let Some(account) = opened_account(&state, &account_id).await? else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let command_id = match forms::command_id(input.command_id.as_deref()) {
        Ok(id) => id,
        Err(error) => {
            let mut forms = Forms::fresh();
            forms.close.error = Some(error);
            return refuse(&state, account, forms).await;
        }
    };
    let account_id = account.account_id;
    let close = Close {
        account_id,
        time: state.clock.now(),
    };
    let page = format!("/accounts/{account_id}");
    let form = PostedForm {
        action: format!("{page}/close"),
        fields: vec![("command_id", command_id.to_string())],
    };
    send(
        &state.store,
        AccountCommand::close(&close)?,
        command_id,
        &page,
        form,
    )
    .await
}

/// The submitted amount form, with its error, to show again. It keeps its
/// command id, so that sending it again after fixing the amount is still
/// the same command.
fn amount_form(input: &AmountInput, error: String) -> AmountForm {
    AmountForm {
        command_id: forms::command_id(input.command_id.as_deref())
            .unwrap_or_else(|_| Uuid::new_v4())
            .to_string(),
        amount: input.amount.clone().unwrap_or_default(),
        error: Some(error),
    }
}
