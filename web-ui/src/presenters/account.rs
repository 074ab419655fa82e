//! The account page: balance, statement, pending commands, transfers, and
//! the four forms.

use uuid::Uuid;
use views::account_page::AccountPage;
use views::accounts::Account;

use super::commands::{Report, notices, pending_rows};
use super::{account_status, names_of, transfer_rows};
use crate::format;
use crate::pages::{
    self, AccountSummary, AmountForm, CloseForm, Destination, LineRow, TransferForm, Watch,
};

/// How many statement lines the account page shows unless asked for all:
/// enough for the recent story, few enough that the page stays quick for an
/// account with years of history.
pub const LATEST_LINES: usize = 50;

/// How many lines the account page reads when it shows the latest: one more
/// than it shows, which tells whether earlier lines exist.
pub const LINES_READ: i64 = LATEST_LINES as i64 + 1;

/// The forms of the account page, fresh or as submitted.
#[derive(Debug)]
pub struct Forms {
    pub deposit: AmountForm,
    pub withdraw: AmountForm,
    pub transfer: TransferForm,
    /// The destination the transfer form had chosen, when it is shown again
    /// with an error.
    pub chosen_destination: Option<Uuid>,
    pub close: CloseForm,
}

impl Forms {
    /// Every form empty, each with a new command id: submitting one sends a
    /// new command; submitting it twice sends the same one twice.
    pub fn fresh() -> Forms {
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
            chosen_destination: None,
            close: CloseForm {
                command_id: Uuid::new_v4().to_string(),
                error: None,
            },
        }
    }
}

/// The page of an opened `account`, from what the views showed of it
/// (`view`) and of the command the page reports on. `latest_only` says the
/// statement was read as its latest [`LINES_READ`] lines.
pub fn account_page(
    account: Account,
    view: AccountPage,
    report: &Report,
    mut forms: Forms,
    watch: Option<Watch>,
    latest_only: bool,
) -> pages::AccountPage {
    let AccountPage {
        account: _,
        mut statement,
        pending,
        transfers,
        accounts,
    } = view;
    let names = names_of(&accounts);
    let earlier_lines = latest_only && statement.len() > LATEST_LINES;
    if earlier_lines {
        statement.remove(0);
    }
    let lines = statement
        .into_iter()
        .map(|line| LineRow {
            time: format::time(line.time),
            rejected: line.entry.is_rejected(),
            entry: line.entry.to_string(),
            amount: format::money(line.amount),
            balance_after: format::money(line.balance_after),
            reason: line.reason,
            transfer_id: line.funds_transfer_id.map(|id| id.to_string()),
        })
        .collect();
    forms.transfer.destinations = accounts
        .into_iter()
        .filter(|other| other.account_id != account.account_id)
        .map(|other| {
            let closed = if other.is_open() { "" } else { " (closed)" };
            Destination {
                selected: forms.chosen_destination == Some(other.account_id),
                label: format!("{}{closed}", other.holder_name.unwrap_or_default()),
                id: other.account_id.to_string(),
            }
        })
        .collect();
    let account_id = account.account_id;

    pages::AccountPage {
        watch,
        notices: notices(report),
        is_open: account.is_open(),
        account: AccountSummary {
            id: account_id.to_string(),
            holder: account.holder_name.unwrap_or_default(),
            balance: format::money(account.balance),
            status: account_status(account.status),
            opened: account.opened_time.map(format::time).unwrap_or_default(),
            closed: account.closed_time.map(format::time),
        },
        lines,
        whole_statement_url: earlier_lines.then(|| format!("/accounts/{account_id}?lines=all")),
        pending: pending_rows(&pending),
        transfers: transfer_rows(transfers, &names),
        deposit: forms.deposit,
        withdraw: forms.withdraw,
        transfer: forms.transfer,
        close: forms.close,
    }
}
