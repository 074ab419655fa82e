//! The account page: balance, statement, pending commands, transfers, and
//! the four forms.

use uuid::Uuid;
use views::account_page::{AccountPage, TransferSides};
use views::accounts::Account;
use views::statement::{Entry, StatementLine};

use super::commands::{Report, notices, pending_rows};
use super::{account_status, transfer_rows};
use crate::form_id::FormId;
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
            command_id: FormId::new().to_string(),
            amount: String::new(),
            reference: String::new(),
            error: None,
        };
        Forms {
            deposit: amount_form(),
            withdraw: amount_form(),
            transfer: TransferForm {
                command_id: FormId::new().to_string(),
                amount: String::new(),
                reference: String::new(),
                error: None,
                destinations: Vec::new(),
                search: String::new(),
                found: None,
            },
            chosen_destination: None,
            close: CloseForm {
                command_id: FormId::new().to_string(),
                error: None,
            },
        }
    }
}

/// The accounts the transfer form offers: the newest ones (the views'
/// account page carries them), or what a search for a destination found.
#[derive(Debug, Default)]
pub struct Destinations {
    pub accounts: Vec<Account>,
    /// The search, if the accounts are its answer, and whether it found
    /// more than it offers.
    pub search: Option<(String, bool)>,
}

/// The page of an opened `account`, from what the views showed of it
/// (`view`), the accounts the transfer form offers, and the command the
/// page reports on. `lines_before` is where the statement page shown ends,
/// if it is not the latest one.
pub fn account_page(
    account: Account,
    view: AccountPage,
    destinations: Destinations,
    report: &Report,
    mut forms: Forms,
    watch: Option<Watch>,
    lines_before: Option<i64>,
) -> pages::AccountPage {
    let AccountPage {
        mut statement,
        pending,
        transfers,
        names,
        line_transfers,
        ..
    } = view;
    let account_id = account.account_id;
    // One line more than shown was read: if it came, earlier lines exist,
    // and the page of them ends where this one starts.
    let earlier_lines = statement.len() > LATEST_LINES;
    if earlier_lines {
        statement.remove(0);
    }
    let earlier_lines_url = statement.first().filter(|_| earlier_lines).map(|oldest| {
        format!(
            "/accounts/{account_id}?lines_before={}#statement-heading",
            oldest.global_position
        )
    });
    let lines = statement
        .into_iter()
        .map(|line| {
            let sides = line
                .funds_transfer_id
                .and_then(|id| line_transfers.get(&id));
            // A deposit for a transfer that took its money from this very
            // account gives that money back.
            let refund = line.entry == Entry::Deposit
                && sides.is_some_and(|sides| sides.withdrawal_account_id == account.account_id);
            LineRow {
                time: format::time(line.time),
                rejected: line.entry.is_rejected(),
                entry: entry_words(&line, refund).to_string(),
                amount: signed_amount(&line),
                balance_after: format::money(line.balance_after),
                party: sides.map(|sides| other_side(sides, account.account_id)),
                reason: line.reason,
                reference: line.reference,
                transfer_id: line.funds_transfer_id.map(|id| id.to_string()),
            }
        })
        .collect();
    forms.transfer.destinations = destinations
        .accounts
        .into_iter()
        .filter(|other| other.account_id != account_id)
        .map(|other| {
            let closed = if other.is_open() { "" } else { " (closed)" };
            Destination {
                selected: forms.chosen_destination == Some(other.account_id),
                label: format!("{}{closed}", other.holder_name.unwrap_or_default()),
                id: other.account_id.to_string(),
            }
        })
        .collect();
    if let Some((search, more)) = destinations.search {
        forms.transfer.found = Some(found_sentence(
            &search,
            forms.transfer.destinations.len(),
            more,
        ));
        forms.transfer.search = search;
    }

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
        earlier_lines_url,
        latest_lines_url: lines_before.map(|_| format!("/accounts/{account_id}#statement-heading")),
        pending: pending_rows(&pending),
        transfers: transfer_rows(transfers, &names),
        deposit: forms.deposit,
        withdraw: forms.withdraw,
        transfer: forms.transfer,
        close: forms.close,
    }
}

/// What the transfer form says about a search for a destination.
fn found_sentence(search: &str, offered: usize, more: bool) -> String {
    match (offered, more) {
        (0, _) => format!(
            "No other account's holder name starts with “{search}”, and no other account has \
             that id."
        ),
        (_, true) => format!(
            "The first {offered} accounts whose holder name starts with “{search}”: type more \
             of the name to narrow it."
        ),
        (_, false) => format!("Accounts whose holder name starts with “{search}”."),
    }
}

/// What a statement line records, in words: a transfer's deposit is
/// "transfer in", and a deposit that gave a transfer's money back is a
/// "refund".
fn entry_words(line: &StatementLine, refund: bool) -> &'static str {
    let for_a_transfer = line.funds_transfer_id.is_some();
    match line.entry {
        Entry::Deposit if refund => "refund",
        Entry::Deposit if for_a_transfer => "transfer in",
        Entry::Deposit => "deposit",
        Entry::Withdrawal if for_a_transfer => "transfer out",
        Entry::Withdrawal => "withdrawal",
        Entry::DepositRejected => "deposit rejected",
        Entry::WithdrawalRejected => "withdrawal rejected",
    }
}

/// The other side of a transfer, from this account's side: `to Bob` or
/// `from Ada` (the start of an id when no name is known).
fn other_side(sides: &TransferSides, this: Uuid) -> String {
    let name =
        |holder: &Option<String>, id: Uuid| holder.clone().unwrap_or_else(|| format::short_id(id));
    if sides.withdrawal_account_id == this {
        format!(
            "to {}",
            name(&sides.deposit_holder, sides.deposit_account_id)
        )
    } else {
        format!(
            "from {}",
            name(&sides.withdrawal_holder, sides.withdrawal_account_id)
        )
    }
}

/// A line's amount as it moved the balance: `+12.34` in, `−12.34` out
/// (a minus sign, not a hyphen), and a refused one unsigned, since it moved
/// nothing.
fn signed_amount(line: &StatementLine) -> String {
    let amount = format::money(line.amount);
    match line.entry {
        Entry::Deposit => format!("+{amount}"),
        Entry::Withdrawal => format!("\u{2212}{amount}"),
        Entry::DepositRejected | Entry::WithdrawalRejected => amount,
    }
}
