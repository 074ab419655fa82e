//! Example histories: the events that put the example account in a state.
//! Named after the state they produce, as Eventide names its controls.

use messaging::NewMessage;

use super::{events, id};
use crate::Money;

/// An account that was opened and has `balance` (one deposit, transaction
/// sequence 2, unless the balance is zero).
pub fn open_with_balance(balance: Money) -> Vec<NewMessage> {
    let mut history = vec![message(&events::opened())];
    if balance != Money::ZERO {
        history.push(message(&events::deposited(id::account(), balance, 2)));
    }
    history
}

/// An account with the example balance of 100.00.
pub fn open() -> Vec<NewMessage> {
    open_with_balance(super::money::balance())
}

/// An account that was opened, and closed with a zero balance.
pub fn closed() -> Vec<NewMessage> {
    vec![message(&events::opened()), message(&events::closed(3))]
}

/// Turns an example message into one ready to write. Example messages are
/// plain structs with derived serialization, which cannot fail to encode.
pub fn message<M: messaging::Message>(example: &M) -> NewMessage {
    match NewMessage::new(example) {
        Ok(message) => message,
        Err(error) => panic!("an example message does not encode: {error}"),
    }
}
