//! Commands under ids that other commands reserved, written straight into
//! the store (as anyone with the store's command role could, since no form
//! can): the transfer they would have stopped still ends, with the money
//! back where it belongs, and the auditor finds nothing wrong.

use std::time::Duration;

use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::{Money, streams as account_streams};
use bank::audit::{Expect, audit};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use funds_transfer_component::messages::events::Initiated;
use funds_transfer_component::streams as transfer_streams;
use messaging::{Clock, Component, ComponentSettings, Message, MessageStore, StreamName, Time};
use messaging_layers::{ConsumerLayers, LayeredComponent, Pause};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

#[path = "support/bank_commands.rs"]
mod bank_commands;

/// The two components running on `store`, and the switch that pauses the
/// account component.
struct Bank {
    store: MessageStore,
    accounts: Pause,
    shutdown: CancellationToken,
}

impl Bank {
    fn start() -> Bank {
        let store = MessageStore::in_memory();
        let settings = ComponentSettings {
            poll_interval: Duration::from_millis(5),
            ..ComponentSettings::default()
        };
        let shutdown = CancellationToken::new();
        // The pause layer holds the account component still on demand.
        let layers = ConsumerLayers::default();
        let mut accounts = LayeredComponent::new(store.clone(), settings, layers, &shutdown);
        account_component::start(&mut accounts, store.clone(), Clock::system());
        let pause = accounts.pause_switch();
        let mut transfers = Component::new(store.clone(), settings, &shutdown);
        funds_transfer_component::start(&mut transfers, store.clone(), Clock::system());
        tokio::spawn(accounts.run());
        tokio::spawn(transfers.run());
        Bank {
            store,
            accounts: pause,
            shutdown,
        }
    }

    /// An open account with `cents` in it.
    async fn account(&self, cents: i64) -> Uuid {
        let id = Uuid::new_v4();
        bank_commands::open(&self.store, id).await;
        bank_commands::deposit(&self.store, id, Money::from_cents(cents)).await;
        until(
            &self.store,
            &account_streams::account_stream(id),
            "Deposited",
        )
        .await;
        id
    }
}

impl Drop for Bank {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Waits until `stream` holds a message of type `message_type`.
async fn until(store: &MessageStore, stream: &StreamName, message_type: &str) {
    for _ in 0..1000 {
        let messages = store.read_stream(stream, 0, 1000).await.expect("read");
        if messages.iter().any(|m| m.message_type == message_type) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{stream} never got a {message_type}");
}

/// The transfer's `Initiated`, once written.
async fn initiated(store: &MessageStore, transfer: Uuid) -> Initiated {
    let stream = transfer_streams::transfer_stream(transfer);
    until(store, &stream, Initiated::TYPE).await;
    let first = store.read_stream(&stream, 0, 1).await.expect("read");
    first[0].decode().expect("an Initiated")
}

/// The balance an account's events add up to.
async fn balance(store: &MessageStore, account: Uuid) -> Money {
    let fetched = account_component::store::build(store.clone())
        .fetch(account)
        .await
        .expect("fetched");
    fetched.0.balance
}

async fn audited_clean(store: &MessageStore) {
    let report = audit(store, None, Expect::Quiescent)
        .await
        .expect("audited");
    let mut printed = Vec::new();
    report.print(&mut printed).expect("printed");
    assert_eq!(
        report.violations(),
        0,
        "{}",
        String::from_utf8_lossy(&printed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_whose_deposit_id_another_command_took_is_reversed_with_the_money_back() {
    let bank = Bank::start();
    let (payer, payee) = (bank.account(10_000).await, bank.account(100).await);
    bank.accounts.pause();
    let transfer =
        bank_commands::transfer(&bank.store, payer, payee, Money::from_cents(2_000)).await;
    let ids = initiated(&bank.store, transfer).await;
    let forged = Deposit {
        deposit_id: ids.deposit_id,
        account_id: payee,
        amount: Money::from_cents(1),
        time: Time::now(),
        reference: None,
    };
    let command = AccountCommand::deposit(&forged).expect("encodes");
    command.send(&bank.store).await.expect("sent");
    bank.accounts.resume();

    until(
        &bank.store,
        &transfer_streams::transfer_stream(transfer),
        "Reversed",
    )
    .await;
    until(
        &bank.store,
        &account_streams::account_stream(payee),
        "DepositRejected",
    )
    .await;
    assert_eq!(balance(&bank.store, payer).await, Money::from_cents(10_000));
    // The forged deposit holds the id: it was the one the payee took.
    assert_eq!(balance(&bank.store, payee).await, Money::from_cents(101));
    audited_clean(&bank.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_whose_withdrawal_id_another_command_took_is_cancelled_and_moves_nothing() {
    let bank = Bank::start();
    let (payer, payee) = (bank.account(10_000).await, bank.account(100).await);
    bank.accounts.pause();
    let transfer =
        bank_commands::transfer(&bank.store, payer, payee, Money::from_cents(2_000)).await;
    let ids = initiated(&bank.store, transfer).await;
    // Written after the transfer's own `Withdraw` was sent: so the account
    // must tell the two apart by what they are, not by which came first.
    let stream = account_streams::command_stream(payer);
    until(&bank.store, &stream, Withdraw::TYPE).await;
    let forged = Withdraw {
        withdrawal_id: ids.withdrawal_id,
        account_id: payer,
        amount: Money::from_cents(1),
        time: Time::now(),
        reference: None,
    };
    let command = AccountCommand::withdraw(&forged).expect("encodes");
    command.send(&bank.store).await.expect("sent");
    bank.accounts.resume();

    until(
        &bank.store,
        &transfer_streams::transfer_stream(transfer),
        "Transferred",
    )
    .await;
    until(
        &bank.store,
        &account_streams::account_stream(payer),
        "WithdrawalRejected",
    )
    .await;
    assert_eq!(balance(&bank.store, payer).await, Money::from_cents(8_000));
    assert_eq!(balance(&bank.store, payee).await, Money::from_cents(2_100));
    audited_clean(&bank.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_whose_withdrawal_id_was_taken_before_it_started_is_cancelled_and_moves_nothing()
{
    let bank = Bank::start();
    let (payer, payee) = (bank.account(10_000).await, bank.account(100).await);
    // Whoever chooses a transfer's id can work out its steps' ids before it
    // starts (they are derived), and send a command under one first.
    let transfer_id = Uuid::new_v4();
    let forged = Withdraw {
        withdrawal_id: funds_transfer_component::step_ids::withdrawal_id(transfer_id),
        account_id: payer,
        amount: Money::from_cents(1),
        time: Time::now(),
        reference: None,
    };
    let command = AccountCommand::withdraw(&forged).expect("encodes");
    command.send(&bank.store).await.expect("sent");
    until(
        &bank.store,
        &account_streams::account_stream(payer),
        "Withdrawn",
    )
    .await;
    let transfer = Transfer {
        funds_transfer_id: transfer_id,
        withdrawal_account_id: payer,
        deposit_account_id: payee,
        amount: Money::from_cents(2_000),
        time: Time::now(),
        reference: None,
    };
    let command = TransferCommand::transfer(&transfer).expect("encodes");
    command.send(&bank.store).await.expect("sent");

    until(
        &bank.store,
        &transfer_streams::transfer_stream(transfer_id),
        "Cancelled",
    )
    .await;
    assert_eq!(balance(&bank.store, payer).await, Money::from_cents(9_999));
    assert_eq!(balance(&bank.store, payee).await, Money::from_cents(100));
    audited_clean(&bank.store).await;
}
