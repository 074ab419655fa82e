//! The account page's forms: deposit, withdraw, close. (The transfer form
//! posts to the transfer routes.)
//!
//! Each checks what was typed (a refused form is drawn again, with its
//! error, and sends nothing), builds its command with the ids derived from
//! the form's id (`form_id.rs`), and sends it (`send.rs`).

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Withdraw};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use messaging::Command;
use views::accounts::Account;

use super::accounts::{no_such_account, opened_account, refuse};
use crate::AppState;
use crate::error::AppError;
use crate::form_id::FormId;
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
    send_amount(&state, &account_id, &input, Movement::Deposit).await
}

/// `POST /accounts/{id}/withdrawals`.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<AmountInput>,
) -> Result<Response, AppError> {
    send_amount(&state, &account_id, &input, Movement::Withdrawal).await
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
    let form_id = match FormId::parse(input.command_id.as_deref()) {
        Ok(id) => id,
        Err(error) => {
            let mut forms = Forms::fresh();
            forms.close.error = Some(error);
            return refuse(&state, account, forms).await;
        }
    };
    let close = Close {
        account_id: account.account_id,
        time: state.clock.now(),
    };
    let command = AccountCommand::close(&close)?;
    send_to(&state, &account, command, form_id, "close", Vec::new()).await
}

/// Money in or out: the two forms with an amount.
#[derive(Clone, Copy, Debug)]
enum Movement {
    Deposit,
    Withdrawal,
}

/// Checks an amount form, and sends its deposit or withdrawal.
async fn send_amount(
    state: &AppState,
    account_id: &str,
    input: &AmountInput,
    movement: Movement,
) -> Result<Response, AppError> {
    let Some(account) = opened_account(state, account_id).await? else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let fields = match forms::amount_fields(input) {
        Ok(valid) => valid,
        Err(error) => {
            let mut forms = Forms::fresh();
            let refused = amount_form(input, error);
            match movement {
                Movement::Deposit => forms.deposit = refused,
                Movement::Withdrawal => forms.withdraw = refused,
            }
            return refuse(state, account, forms).await;
        }
    };
    let (account_id, time) = (account.account_id, state.clock.now());
    let (form_id, amount, reference) = (fields.form_id, fields.amount, fields.reference);
    let (command, action) = match movement {
        Movement::Deposit => {
            let deposit = Deposit {
                deposit_id: form_id.derived_id(),
                account_id,
                amount,
                time,
                reference: reference.clone(),
            };
            (AccountCommand::deposit(&deposit)?, "deposits")
        }
        Movement::Withdrawal => {
            let withdraw = Withdraw {
                withdrawal_id: form_id.derived_id(),
                account_id,
                amount,
                time,
                reference: reference.clone(),
            };
            (AccountCommand::withdraw(&withdraw)?, "withdrawals")
        }
    };
    let mut posted = vec![("amount", amount.to_string())];
    posted.extend(reference.map(|reference| ("reference", reference)));
    send_to(state, &account, command, form_id, action, posted).await
}

/// Sends an account form's command, posted to `/accounts/{id}/{action}`
/// with `fields` besides its id, and answers with the account page.
async fn send_to(
    state: &AppState,
    account: &Account,
    command: Command,
    form_id: FormId,
    action: &str,
    fields: Vec<(&'static str, String)>,
) -> Result<Response, AppError> {
    let page = format!("/accounts/{}", account.account_id);
    let mut posted = vec![("command_id", form_id.to_string())];
    posted.extend(fields);
    let form = PostedForm {
        action: format!("{page}/{action}"),
        fields: posted,
    };
    send(&state.store, command, form_id, &page, form).await
}

/// The submitted amount form, with its error, to show again. It keeps its
/// form id, so that sending it again after fixing the amount is still the
/// same command.
fn amount_form(input: &AmountInput, error: String) -> AmountForm {
    AmountForm {
        command_id: FormId::parse(input.command_id.as_deref())
            .unwrap_or_default()
            .to_string(),
        amount: input.amount.clone().unwrap_or_default(),
        reference: input.reference.clone().unwrap_or_default(),
        error: Some(error),
    }
}
