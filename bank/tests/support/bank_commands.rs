//! Sending the bank's commands from a test, retrying while the store is
//! unreachable (it is safe to: every command carries its own id, and the
//! components apply each id once).
//!
//! Each test binary that includes this file uses some of it.
#![allow(dead_code)]

use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Open, Withdraw};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::{MessageStore, StoreError, Time};
use uuid::Uuid;

/// Sends until the store takes it; a duplicate message id means a previous
/// attempt got through.
pub async fn send_until_sent<F, Fut>(mut attempt: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Uuid, StoreError>>,
{
    for _ in 0..600 {
        match attempt().await {
            Ok(_) | Err(StoreError::DuplicateMessageId { .. }) => return,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("the store never took the command");
}

pub async fn open(store: &MessageStore, account_id: Uuid) {
    let open = Open {
        account_id,
        customer_id: Uuid::new_v4(),
        holder_name: format!("Holder {account_id}"),
        time: Time::now(),
    };
    let command = AccountCommand::open(&open).expect("encodes");
    send_until_sent(|| command.send(store)).await;
}

pub async fn deposit(store: &MessageStore, account_id: Uuid, amount: Money) -> Uuid {
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount,
        time: Time::now(),
        reference: None,
    };
    let command = AccountCommand::deposit(&deposit).expect("encodes");
    send_until_sent(|| command.send(store)).await;
    deposit.deposit_id
}

pub async fn withdraw(store: &MessageStore, account_id: Uuid, amount: Money) -> Uuid {
    let withdraw = Withdraw {
        withdrawal_id: Uuid::new_v4(),
        account_id,
        amount,
        time: Time::now(),
        reference: None,
    };
    let command = AccountCommand::withdraw(&withdraw).expect("encodes");
    send_until_sent(|| command.send(store)).await;
    withdraw.withdrawal_id
}

pub async fn transfer(store: &MessageStore, from: Uuid, to: Uuid, amount: Money) -> Uuid {
    let transfer = Transfer {
        funds_transfer_id: Uuid::new_v4(),
        withdrawal_account_id: from,
        deposit_account_id: to,
        amount,
        time: Time::now(),
        reference: None,
    };
    let command = TransferCommand::transfer(&transfer).expect("encodes");
    send_until_sent(|| command.send(store)).await;
    transfer.funds_transfer_id
}
