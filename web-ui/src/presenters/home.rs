//! The home page: every account, the recent transfers, the open form.

use views::accounts::Account;
use views::transfers::Transfer;

use super::{account_row, names_of, transfer_rows};
use crate::pages::{HomePage, OpenForm};

/// The home page, from the opened accounts and the recent transfers.
pub fn home_page(
    accounts: Vec<Account>,
    transfers: Vec<Transfer>,
    open_form: OpenForm,
) -> HomePage {
    let names = names_of(&accounts);
    HomePage {
        watch: None,
        notice: None,
        transfers: transfer_rows(transfers, &names),
        accounts: accounts.into_iter().map(account_row).collect(),
        open_form,
    }
}
