//! Presenters: what the views say, turned into what a page shows.
//!
//! A route reads the views and hands the rows to a presenter, which fills in
//! the page structs of [`crate::pages`]: amounts and times formatted,
//! statuses as badges, holders' names looked up, a command's outcome in a
//! sentence. Presenters do no I/O, so the wording of every page can be read
//! (and tested) apart from the database and the HTTP around it.

pub mod account;
pub mod commands;
pub mod home;
pub mod operations;
pub mod trail;
pub mod transfer;

use std::collections::HashMap;

use uuid::Uuid;
use views::accounts::{Account, AccountStatus};
use views::columns::Code;
use views::transfers::{Transfer, TransferStatus};

use crate::format;
use crate::pages::{AccountRow, Status, TransferRow};

/// The accounts on either side of these transfers: whose names a list of
/// them needs (see `Views::holder_names`).
pub fn parties(transfers: &[Transfer]) -> Vec<Uuid> {
    transfers
        .iter()
        .flat_map(|transfer| [transfer.withdrawal_account_id, transfer.deposit_account_id])
        .collect()
}

/// An account's name, or the start of its id when no name is known.
pub fn name_in(names: &HashMap<Uuid, String>, account_id: Uuid) -> String {
    names
        .get(&account_id)
        .cloned()
        .unwrap_or_else(|| format::short_id(account_id))
}

/// An account as a list shows it.
pub fn account_row(account: Account) -> AccountRow {
    AccountRow {
        id: account.account_id.to_string(),
        holder: account.holder_name.unwrap_or_default(),
        balance: format::money(account.balance),
        status: account_status(account.status),
    }
}

/// Transfers as a list shows them, with their accounts' names.
pub fn transfer_rows(transfers: Vec<Transfer>, names: &HashMap<Uuid, String>) -> Vec<TransferRow> {
    transfers
        .into_iter()
        .map(|transfer| TransferRow {
            id: transfer.funds_transfer_id.to_string(),
            from: name_in(names, transfer.withdrawal_account_id),
            to: name_in(names, transfer.deposit_account_id),
            amount: format::money(transfer.amount),
            status: transfer_status(transfer.status),
            requested: format::time(transfer.requested_time),
        })
        .collect()
}

/// An account's status as a badge.
pub fn account_status(status: AccountStatus) -> Status {
    Status {
        class: status.code(),
        label: status.to_string(),
    }
}

/// A transfer's status as a badge.
pub fn transfer_status(status: TransferStatus) -> Status {
    Status {
        class: status.code(),
        label: status.to_string(),
    }
}
