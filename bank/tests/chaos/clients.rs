//! The clients: they open accounts, deposit, withdraw, transfer and close,
//! some by writing commands to the store, one through the web UI's forms,
//! and some of each twice with the same ids, as a double click or a retry
//! would. Every command goes into the ledger.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::{MessageStore, Time};
use test_processes::Dice;
use uuid::Uuid;
use views::{ViewDatabase, Views};

use crate::bank_commands::send_until_sent;
use crate::http::try_request;
use crate::ledger::{Ledger, Op};

/// What every client shares: where the bank is, the books, and the
/// accounts there are.
#[derive(Clone)]
pub struct World {
    pub store: MessageStore,
    pub views: ViewDatabase,
    pub web: String,
    pub ledger: Arc<Ledger>,
}

impl World {
    fn pick(&self, dice: &mut Dice) -> Option<Uuid> {
        let accounts = self.ledger.accounts();
        (!accounts.is_empty()).then(|| accounts[dice.below(accounts.len() as u64) as usize])
    }
}

/// How a client sends its commands.
#[derive(Clone, Copy, Debug)]
pub enum Channel {
    /// Writing them to the message store, through the components' clients.
    Store,
    /// Posting the web UI's forms over HTTP.
    Web,
}

/// One client: `operations` commands, picked by `seed`.
pub async fn client(world: World, channel: Channel, operations: usize, seed: u64) {
    let mut dice = Dice::seeded(seed);
    for _ in 0..operations {
        let amount = Money::from_cents(1 + dice.below(20_000) as i64);
        let twice = dice.below(10) == 0;
        match dice.below(100) {
            0..=5 => {
                open(&world, channel, twice).await;
            }
            6..=40 => {
                if let Some(account) = world.pick(&mut dice) {
                    deposit(&world, channel, account, amount, twice).await;
                }
            }
            41..=60 => {
                if let Some(account) = world.pick(&mut dice) {
                    withdraw(&world, channel, account, amount, twice).await;
                }
            }
            61..=93 => {
                if let (Some(from), Some(to)) = (world.pick(&mut dice), world.pick(&mut dice))
                    && from != to
                {
                    transfer(&world, channel, from, to, amount, twice).await;
                }
            }
            _ => {
                if let Some(account) = world.pick(&mut dice) {
                    empty_and_close(&world, account).await;
                }
            }
        }
        if twice {
            world.ledger.resent.fetch_add(1, Ordering::Relaxed);
        }
        // Paced so that the chaos strikes in the middle of things.
        tokio::time::sleep(Duration::from_millis(60 + dice.below(120))).await;
    }
}

/// Opens an account.
pub async fn open(world: &World, channel: Channel, twice: bool) -> Uuid {
    let form = Uuid::new_v4();
    // Through the web, the account's id is derived from the form's.
    let account = match channel {
        Channel::Store => form,
        Channel::Web => derived(form),
    };
    match channel {
        Channel::Store => open_with(world, account, twice).await,
        Channel::Web => {
            let (id, name) = (form.to_string(), holder(account));
            let form = [("command_id", id.as_str()), ("holder_name", name.as_str())];
            post(world, "/accounts", &form, twice).await;
            world.ledger.record(Op::Open { account });
        }
    }
    account
}

/// The id a form's command gives what it creates, derived from the form's
/// id as the web UI derives it (`web-ui/src/form_id.rs`).
fn derived(form: Uuid) -> Uuid {
    web_ui::form_id::FormId::of_message(form).derived_id()
}

/// Opens the account `account`, through the store.
pub async fn open_as(world: &World, account: Uuid) {
    open_with(world, account, false).await;
}

async fn open_with(world: &World, account: Uuid, twice: bool) {
    let open = Open {
        account_id: account,
        customer_id: Uuid::new_v4(),
        holder_name: holder(account),
        time: Time::now(),
    };
    let command = AccountCommand::open(&open).expect("encodes");
    for _ in 0..if twice { 2 } else { 1 } {
        send_until_sent(|| command.send(&world.store)).await;
    }
    world.ledger.record(Op::Open { account });
}

fn holder(account: Uuid) -> String {
    format!("Client {}", &account.to_string()[..8])
}

/// Deposits into `account`.
pub async fn deposit(world: &World, channel: Channel, account: Uuid, amount: Money, twice: bool) {
    let deposit_id = Uuid::new_v4();
    let message_id = match channel {
        Channel::Store => {
            let deposit = Deposit {
                deposit_id,
                account_id: account,
                amount,
                time: Time::now(),
                reference: Some(format!("chaos {amount}")),
            };
            let command = AccountCommand::deposit(&deposit).expect("encodes");
            send_until_sent(|| command.send(&world.store)).await;
            if twice {
                // Again, as a client that timed out would: the same deposit,
                // in a new message.
                let again = AccountCommand::deposit(&deposit).expect("encodes");
                send_until_sent(|| again.send(&world.store)).await;
            }
            command.message().id
        }
        Channel::Web => {
            let path = format!("/accounts/{account}/deposits");
            let (id, amount) = (deposit_id.to_string(), amount.to_string());
            let form = [
                ("command_id", id.as_str()),
                ("amount", amount.as_str()),
                ("reference", "chaos, through the web"),
            ];
            if !post(world, &path, &form, twice).await {
                return;
            }
            deposit_id
        }
    };
    world.ledger.record(Op::Deposit {
        message_id,
        account,
        amount,
    });
}

/// Withdraws from `account`.
pub async fn withdraw(world: &World, channel: Channel, account: Uuid, amount: Money, twice: bool) {
    let withdrawal_id = Uuid::new_v4();
    let message_id = match channel {
        Channel::Store => {
            let withdraw = Withdraw {
                withdrawal_id,
                account_id: account,
                amount,
                time: Time::now(),
                reference: None,
            };
            let command = AccountCommand::withdraw(&withdraw).expect("encodes");
            for _ in 0..if twice { 2 } else { 1 } {
                send_until_sent(|| command.send(&world.store)).await;
            }
            command.message().id
        }
        Channel::Web => {
            let path = format!("/accounts/{account}/withdrawals");
            let (id, amount) = (withdrawal_id.to_string(), amount.to_string());
            let form = [("command_id", id.as_str()), ("amount", amount.as_str())];
            if !post(world, &path, &form, twice).await {
                return;
            }
            withdrawal_id
        }
    };
    world.ledger.record(Op::Withdraw {
        message_id,
        account,
        amount,
    });
}

/// Transfers from `from` to `to`.
pub async fn transfer(
    world: &World,
    channel: Channel,
    from: Uuid,
    to: Uuid,
    amount: Money,
    twice: bool,
) -> Uuid {
    let form = Uuid::new_v4();
    // Through the web, the transfer's id is derived from the form's.
    let id = match channel {
        Channel::Store => form,
        Channel::Web => derived(form),
    };
    match channel {
        Channel::Store => {
            let transfer = Transfer {
                funds_transfer_id: id,
                withdrawal_account_id: from,
                deposit_account_id: to,
                amount,
                time: Time::now(),
                reference: None,
            };
            let command = TransferCommand::transfer(&transfer).expect("encodes");
            for _ in 0..if twice { 2 } else { 1 } {
                send_until_sent(|| command.send(&world.store)).await;
            }
        }
        Channel::Web => {
            let path = format!("/accounts/{from}/transfers");
            let (command_id, to, cents) = (form.to_string(), to.to_string(), amount.to_string());
            let form = [
                ("command_id", command_id.as_str()),
                ("to_account_id", to.as_str()),
                ("amount", cents.as_str()),
                ("reference", "chaos"),
            ];
            if !post(world, &path, &form, twice).await {
                return id;
            }
        }
    }
    world.ledger.record(Op::Transfer {
        id,
        from,
        to,
        amount,
    });
    id
}

/// Takes out what the bank says the account holds, then closes it: with
/// other clients moving money in and out meanwhile, either may be refused,
/// and transfers to and from it may meet it closed.
pub async fn empty_and_close(world: &World, account: Uuid) {
    let balance = Views::new(&world.views)
        .account(account)
        .await
        .ok()
        .flatten()
        .map(|row| row.balance);
    if let Some(balance) = balance.filter(|balance| balance.is_positive()) {
        withdraw(world, Channel::Store, account, balance, false).await;
    }
    close(world, account).await;
}

/// Closes `account`.
pub async fn close(world: &World, account: Uuid) -> Uuid {
    let close = Close {
        account_id: account,
        time: Time::now(),
    };
    let command = AccountCommand::close(&close).expect("encodes");
    send_until_sent(|| command.send(&world.store)).await;
    let message_id = command.message().id;
    world.ledger.record(Op::Close {
        message_id,
        account,
    });
    message_id
}

/// Posts a form until the bank takes it (a redirect: sent, or sent
/// before), sending it again while the bank cannot answer or could not
/// tell whether it had it; twice in a row when `twice`, as a double click.
/// Returns whether it was taken. A form the UI refuses (422: an account it
/// does not know yet, money no longer held) writes nothing; the second
/// click of a double click may be refused after the first was taken (the
/// first has done its work by then), which leaves it taken.
pub async fn post(world: &World, path: &str, form: &[(&str, &str)], twice: bool) -> bool {
    let mut taken = false;
    for _ in 0..if twice { 2 } else { 1 } {
        match post_once(world, path, form).await {
            Posted::Taken => taken = true,
            Posted::Refused => break,
        }
    }
    if taken {
        world.ledger.through_the_web.fetch_add(1, Ordering::Relaxed);
    }
    taken
}

enum Posted {
    Taken,
    Refused,
}

async fn post_once(world: &World, path: &str, form: &[(&str, &str)]) -> Posted {
    for _ in 0..600 {
        match try_request(&world.web, "POST", path, Some(form)).await {
            Ok(response) if response.status == 303 => return Posted::Taken,
            Ok(response) if response.status == 422 => return Posted::Refused,
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("the web UI never answered the form posted to {path}");
}
