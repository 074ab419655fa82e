//! The home page: a page of accounts or a search's answer, the recent
//! transfers, the open form.

use std::collections::HashMap;

use uuid::Uuid;
use views::directory::{AccountsPage, Found};
use views::transfers::Transfer;

use super::{account_row, transfer_rows};
use crate::pages::{HomePage, OpenForm};

/// Which accounts the home page lists.
#[derive(Debug)]
pub enum Listed {
    /// A page of them, newest first.
    Page(AccountsPage),
    /// What a search for the text found.
    Found(String, Found),
}

/// The home page, from the accounts listed, the recent transfers and their
/// parties' names.
pub fn home_page(
    listed: Listed,
    transfers: Vec<Transfer>,
    names: &HashMap<Uuid, String>,
    open_form: OpenForm,
) -> HomePage {
    let (accounts, search, more_found, newer, older) = match listed {
        Listed::Page(page) => (page.accounts, None, false, page.newer, page.older),
        Listed::Found(text, found) => (found.accounts, Some(text), found.more, None, None),
    };
    HomePage {
        watch: None,
        notice: None,
        accounts: accounts.into_iter().map(account_row).collect(),
        search,
        more_found,
        newer_url: newer.map(|id| format!("/?newer={id}")),
        older_url: older.map(|id| format!("/?older={id}")),
        transfers: transfer_rows(transfers, names),
        open_form,
    }
}
