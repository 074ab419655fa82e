//! The account page, and its four forms: deposit, withdraw, transfer, close.

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Withdraw};
use aggregator::projections::commands::key;
use aggregator::queries::account_page::AccountPageView;
use aggregator::queries::{AccountView, CommandView};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::StoreError;
use serde::Deserialize;
use uuid::Uuid;

use super::watch::{self, AccountWatch};
use super::{message, names_of, parse_id, see_other, transfer_rows};
use crate::AppState;
use crate::error::AppError;
use crate::forms::{self, AmountInput, CloseInput, TransferInput};
use crate::pages::{
    self, AccountPage, AccountSummary, AmountForm, CloseForm, Destination, LineRow, MessagePage,
    Notice, PendingRow, TransferForm, Watch, display_time,
};

/// What a page shown after a form says: which command to report on, and
/// whether the form had been submitted before.
#[derive(Debug, Default, Deserialize)]
pub struct AfterCommand {
    pub command: Option<String>,
    pub duplicate: Option<String>,
}

/// How many statement lines the account page shows unless asked for all:
/// enough for the recent story, few enough that the page stays quick for an
/// account with years of history.
pub const LATEST_LINES: usize = 50;

/// How many lines the account page reads when it shows the latest: one more
/// than it shows, which tells whether earlier lines exist.
pub const LINES_READ: i64 = LATEST_LINES as i64 + 1;

/// `?lines=all` asks the account page for the whole statement.
#[derive(Debug, Default, Deserialize)]
pub struct StatementQuery {
    pub lines: Option<String>,
}

impl StatementQuery {
    fn whole(&self) -> bool {
        self.lines.as_deref() == Some("all")
    }
}

/// `GET /accounts/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Query(after): Query<AfterCommand>,
    Query(statement): Query<StatementQuery>,
) -> Result<Response, AppError> {
    let Some(account_id) = parse_id(&account_id) else {
        return Ok(no_such_account(StatusCode::NOT_FOUND));
    };
    let opening = after.command.as_deref() == Some(key::open(account_id).as_str());
    // The command the page reports on is read first, then everything else
    // in one statement (see `AccountWatch::of` for why in this order).
    let sent = watch::sent_command(&state.views, account_id, after.command.as_deref()).await?;
    let latest = (!statement.whole()).then_some(LINES_READ);
    let view = state.views.account_page(account_id, latest).await?;
    let watching = AccountWatch::of(
        view.account.as_ref(),
        &view.pending,
        after.command.as_deref(),
        sent.as_ref(),
    );
    let Some(account) = opened(view.account.clone()) else {
        if !opening {
            return Ok(no_such_account(StatusCode::NOT_FOUND));
        }
        // Sent, but the views have not seen the account yet.
        let mut text = String::from(
            "The account component has been asked to open the account. This page shows it as \
             soon as the views have caught up.",
        );
        if after.duplicate.is_some() {
            text.push_str(" This form had already been sent: the account is opened once.");
        }
        let mut page = MessagePage::new("Opening", "Opening the account", &text);
        page.watch = Some(Watch {
            url: watch::account_url(account_id, after.command.as_deref()),
            token: watching.token,
        });
        return Ok(pages::render(&page)?.into_response());
    };
    let page = account_page(
        account,
        view,
        &after,
        sent,
        Forms::fresh(),
        watching,
        !statement.whole(),
    );
    Ok(pages::render(&page)?.into_response())
}

/// The forms of the account page, fresh or as submitted.
struct Forms {
    deposit: AmountForm,
    withdraw: AmountForm,
    transfer: TransferForm,
    close: CloseForm,
}

impl Forms {
    /// Every form empty, each with a new command id: submitting one sends a
    /// new command; submitting it twice sends the same one twice.
    fn fresh() -> Forms {
        let amount_form = || AmountForm {
            command_id: Uuid::new_v4().to_string(),
            amount: String::new(),
            error: None,
        };
        Forms {
            deposit: amount_form(),
            withdraw: amount_form(),
            transfer: TransferForm {
                command_id: Uuid::new_v4().to_string(),
                amount: String::new(),
                error: None,
                destinations: Vec::new(),
            },
            close: CloseForm {
                command_id: Uuid::new_v4().to_string(),
                error: None,
            },
        }
    }
}

/// The account, if it was ever opened.
fn opened(account: Option<AccountView>) -> Option<AccountView> {
    account.filter(|account| account.status != "unopened")
}

/// The account page of an open `account`, from what the views showed of it
/// (`view`) and of the command the page reports on (`sent`). `latest_only`
/// says the statement was read as its latest [`LINES_READ`] lines.
fn account_page(
    account: AccountView,
    view: AccountPageView,
    after: &AfterCommand,
    sent: Option<CommandView>,
    mut forms: Forms,
    watching: AccountWatch,
    latest_only: bool,
) -> AccountPage {
    let AccountPageView {
        account: _,
        mut statement,
        pending,
        transfers,
        accounts,
    } = view;
    let account_id = parse_id(&account.account_id).unwrap_or_default();
    let names = names_of(&accounts);
    let notices = notices(after, sent.as_ref());
    let earlier_lines = latest_only && statement.len() > LATEST_LINES;
    if earlier_lines {
        statement.remove(0);
    }
    let lines = statement
        .into_iter()
        .map(|line| LineRow {
            time: display_time(&line.time),
            rejected: line.entry.ends_with("rejected"),
            entry: line.entry,
            amount: line.amount.to_string(),
            balance_after: line.balance_after.to_string(),
            reason: line.reason,
            transfer_id: line.funds_transfer_id,
        })
        .collect();
    let pending: Vec<PendingRow> = pending
        .iter()
        .map(|command| PendingRow {
            description: describe(command),
            requested: command
                .requested_time
                .as_deref()
                .map(display_time)
                .unwrap_or_default(),
        })
        .collect();

    let selected = forms.transfer.destinations.first().map(|d| d.id.clone());
    forms.transfer.destinations = accounts
        .into_iter()
        .filter(|other| other.account_id != account.account_id)
        .map(|other| Destination {
            selected: selected.as_deref() == Some(other.account_id.as_str()),
            label: format!(
                "{}{}",
                other.holder_name.unwrap_or_default(),
                if other.status == "closed" {
                    " (closed)"
                } else {
                    ""
                }
            ),
            id: other.account_id,
        })
        .collect();

    let watch = watching.waiting.then(|| Watch {
        url: watch::account_url(account_id, after.command.as_deref()),
        token: watching.token,
    });

    AccountPage {
        watch,
        notices,
        is_open: account.status == "open",
        account: AccountSummary {
            id: account.account_id.clone(),
            holder: account.holder_name.unwrap_or_default(),
            balance: account.balance.to_string(),
            status: account.status,
            opened: account
                .opened_time
                .as_deref()
                .map(display_time)
                .unwrap_or_default(),
            closed: account.closed_time.as_deref().map(display_time),
        },
        lines,
        whole_statement_url: earlier_lines.then(|| format!("/accounts/{account_id}?lines=all")),
        pending,
        transfers: transfer_rows(transfers, &names),
        deposit: forms.deposit,
        withdraw: forms.withdraw,
        transfer: forms.transfer,
        close: forms.close,
    }
}

/// What the page says about the command a form just sent, as `sent`
/// shows it.
fn notices(after: &AfterCommand, sent: Option<&CommandView>) -> Vec<Notice> {
    let mut notices = Vec::new();
    if after.duplicate.is_some() {
        notices.push(Notice::info(
            "This form had already been sent. The bank received it once, and it takes effect once.",
        ));
    }
    if after.command.is_some() {
        notices.push(match sent {
            Some(command) if command.is_processed() => outcome(command),
            _ => Notice::info("Received. Waiting for the account component to process it…"),
        });
    }
    notices
}

fn outcome(command: &CommandView) -> Notice {
    let amount = command
        .amount
        .map(|amount| amount.to_string())
        .unwrap_or_default();
    let outcome = command.outcome.as_deref().unwrap_or_default();
    if let Some(reason) = outcome.strip_prefix("rejected: ") {
        let what = match command.kind.as_str() {
            "deposit" => format!("The deposit of {amount}"),
            "withdraw" => format!("The withdrawal of {amount}"),
            "close" => "Closing the account".to_string(),
            _ => "The request".to_string(),
        };
        return Notice::warning(format!("{what} was refused: {reason}."));
    }
    Notice::success(match outcome {
        "deposited" => format!("Deposited {amount}."),
        "withdrawn" => format!("Withdrew {amount}."),
        "opened" => "The account is open.".to_string(),
        "closed" => "The account is closed.".to_string(),
        other => format!("Done: {other}."),
    })
}

fn describe(command: &CommandView) -> String {
    let amount = command
        .amount
        .map(|amount| amount.to_string())
        .unwrap_or_default();
    match command.kind.as_str() {
        "deposit" => format!("Deposit of {amount}"),
        "withdraw" => format!("Withdrawal of {amount}"),
        "transfer" => format!("Transfer of {amount}"),
        "open" => "Opening".to_string(),
        "close" => "Closing the account".to_string(),
        other => other.to_string(),
    }
}

fn no_such_account(status: StatusCode) -> Response {
    message(
        status,
        "No such account",
        "No such account",
        "There is no account with this id.",
    )
}

/// Shows the account page again with a form's error, as 422.
async fn refuse(
    state: &AppState,
    account: AccountView,
    forms: Forms,
) -> Result<Response, AppError> {
    let account_id = parse_id(&account.account_id).unwrap_or_default();
    let latest = Some(LINES_READ);
    let view = state.views.account_page(account_id, latest).await?;
    let watching = AccountWatch::of(view.account.as_ref(), &view.pending, None, None);
    // The account as the page's statement read it, for the reason given in
    // `show`.
    let account = opened(view.account.clone()).unwrap_or(account);
    let page = account_page(
        account,
        view,
        &AfterCommand::default(),
        None,
        forms,
        watching,
        true,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, pages::render(&page)?).into_response())
}

/// The submitted amount form, with its error, to show again.
fn amount_form(input: &AmountInput, error: String) -> AmountForm {
    AmountForm {
        command_id: forms::command_id(input.command_id.as_deref())
            .unwrap_or_else(|_| Uuid::new_v4())
            .to_string(),
        amount: input.amount.clone().unwrap_or_default(),
        error: Some(error),
    }
}

/// Which of the amount forms.
#[derive(Clone, Copy)]
enum Movement {
    Deposit,
    Withdrawal,
}

/// `POST /accounts/{id}/deposits`.
pub async fn deposit(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<AmountInput>,
) -> Result<Response, AppError> {
    move_money(state, account_id, input, Movement::Deposit).await
}

/// `POST /accounts/{id}/withdrawals`.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<AmountInput>,
) -> Result<Response, AppError> {
    move_money(state, account_id, input, Movement::Withdrawal).await
}

async fn move_money(
    state: AppState,
    account_id: String,
    input: AmountInput,
    movement: Movement,
) -> Result<Response, AppError> {
    let Some(account_id) = parse_id(&account_id) else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let Some(account) = opened(state.views.account(account_id).await?) else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let checked = forms::command_id(input.command_id.as_deref())
        .and_then(|id| forms::amount(input.amount.as_deref()).map(|amount| (id, amount)));
    let (command_id, amount) = match checked {
        Ok(valid) => valid,
        Err(error) => {
            let mut forms = Forms::fresh();
            match movement {
                Movement::Deposit => forms.deposit = amount_form(&input, error),
                Movement::Withdrawal => forms.withdraw = amount_form(&input, error),
            }
            return refuse(&state, account, forms).await;
        }
    };
    let time = state.clock.now();
    // The form's id is the transaction's id and the message's id: the
    // account component applies a deposit id once, and the store takes a
    // message id once, which is how the page knows about a second submit.
    let command = match movement {
        Movement::Deposit => AccountCommand::deposit(&Deposit {
            deposit_id: command_id,
            account_id,
            amount,
            time,
        })?,
        Movement::Withdrawal => AccountCommand::withdraw(&Withdraw {
            withdrawal_id: command_id,
            account_id,
            amount,
            time,
        })?,
    };
    let location = format!("/accounts/{account_id}?command={command_id}");
    sent(
        command.with_message_id(command_id).send(&state.store).await,
        &location,
    )
}

/// `POST /accounts/{id}/transfers`.
pub async fn transfer(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<TransferInput>,
) -> Result<Response, AppError> {
    let Some(account_id) = parse_id(&account_id) else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let Some(account) = opened(state.views.account(account_id).await?) else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let destination = match forms::account_id(input.to_account_id.as_deref()) {
        Ok(id) if id == account_id => Err("Choose another account than this one.".to_string()),
        Ok(id) if opened(state.views.account(id).await?).is_none() => {
            Err("There is no such account.".to_string())
        }
        other => other,
    };
    let checked = forms::command_id(input.command_id.as_deref()).and_then(|id| {
        let destination = destination.clone()?;
        forms::amount(input.amount.as_deref()).map(|amount| (id, destination, amount))
    });
    let (command_id, destination, amount) = match checked {
        Ok(valid) => valid,
        Err(error) => {
            let mut forms = Forms::fresh();
            forms.transfer.command_id = forms::command_id(input.command_id.as_deref())
                .unwrap_or_else(|_| Uuid::new_v4())
                .to_string();
            forms.transfer.amount = input.amount.clone().unwrap_or_default();
            forms.transfer.error = Some(error);
            if let Some(chosen) = input.to_account_id.as_deref() {
                // Remembered so the list can show it selected again.
                forms.transfer.destinations = vec![Destination {
                    id: chosen.to_string(),
                    label: String::new(),
                    selected: true,
                }];
            }
            return refuse(&state, account, forms).await;
        }
    };
    let transfer = Transfer {
        funds_transfer_id: command_id,
        withdrawal_account_id: account_id,
        deposit_account_id: destination,
        amount,
        time: state.clock.now(),
    };
    let command = TransferCommand::transfer(&transfer)?.with_message_id(command_id);
    sent(
        command.send(&state.store).await,
        &format!("/transfers/{command_id}?command={command_id}"),
    )
}

/// `POST /accounts/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(account_id): Path<String>,
    Form(input): Form<CloseInput>,
) -> Result<Response, AppError> {
    let Some(account_id) = parse_id(&account_id) else {
        return Ok(no_such_account(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let Some(account) = opened(state.views.account(account_id).await?) else {
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
    let close = Close {
        account_id,
        time: state.clock.now(),
    };
    let command = AccountCommand::close(&close)?.with_message_id(command_id);
    sent(
        command.send(&state.store).await,
        &format!("/accounts/{account_id}?command=close"),
    )
}

/// Where to go after sending: the page that shows the command, flagged as a
/// repeat when the store already had this message id.
fn sent(result: Result<Uuid, StoreError>, location: &str) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(see_other(location)),
        Err(StoreError::DuplicateMessageId { .. }) => {
            Ok(see_other(&format!("{location}&duplicate=1")))
        }
        Err(error) => Err(error.into()),
    }
}
