//! Properties of the reservation, checked on many generated pairs of
//! commands under one transaction id: the same command twice is one
//! transaction, and a different command under a reserved id is refused as
//! an id in use, once, however often either arrives.

use account_component::controls::{self, store::given_history};
use account_component::handlers::commands::CommandHandler;
use account_component::handlers::commands::transactions::TransactionHandler;
use account_component::messages::Reason;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::messages::events::{DepositRejected, WithdrawalRejected};
use account_component::{Money, streams};
use messaging::{
    Clock, ExpectedVersion, Handler, Message, MessageStore, NewMessage, StoredMessage, StreamName,
    Time,
};
use proptest::prelude::*;
use uuid::Uuid;

/// The transaction id every generated command carries (not one the
/// example history uses).
const TRANSACTION: Uuid = Uuid::from_u128(0x7a11_0000_0000_4000_8000_0000_0000_0001);

/// One command under the example transaction id, as a client might send it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sent {
    deposit: bool,
    cents: i64,
    correlation: Option<&'static str>,
    /// Seconds after the example time: a resend may be stamped anew.
    later_by: i64,
}

impl Sent {
    /// Whether `other` is this command sent again: the same type, amount
    /// and correlation (the time does not count).
    fn is_the_same_command_as(&self, other: &Sent) -> bool {
        (self.deposit, self.cents, self.correlation)
            == (other.deposit, other.cents, other.correlation)
    }

    fn message(&self) -> NewMessage {
        let time = Time::parse("2026-11-26T10:00:00.000Z")
            .expect("a time")
            .plus_milliseconds(self.later_by * 1000);
        let (account_id, amount) = (controls::id::account(), Money::from_cents(self.cents));
        let transaction_id = TRANSACTION;
        let message = if self.deposit {
            NewMessage::new(&Deposit {
                deposit_id: transaction_id,
                account_id,
                amount,
                time,
                reference: None,
            })
        } else {
            NewMessage::new(&Withdraw {
                withdrawal_id: transaction_id,
                account_id,
                amount,
                time,
                reference: None,
            })
        }
        .expect("encodes");
        match self.correlation {
            Some(stream) => message.correlated_with(&StreamName::from_stored(stream)),
            None => message,
        }
    }
}

fn sent() -> impl Strategy<Value = Sent> {
    (
        any::<bool>(),
        prop_oneof![Just(1_100), 1i64..5_000],
        prop_oneof![
            Just(None),
            Just(Some("fundsTransfer-7")),
            Just(Some("fundsTransfer-8"))
        ],
        0i64..3,
    )
        .prop_map(|(deposit, cents, correlation, later_by)| Sent {
            deposit,
            cents,
            correlation,
            later_by,
        })
}

/// Sends `commands` in order, each delivered `deliveries` times to the
/// commands handler, then hands every reservation to the transactions
/// handler twice; returns the store.
async fn run(commands: &[Sent], deliveries: usize) -> MessageStore {
    let store = MessageStore::in_memory();
    given_history(&store, &controls::history::open()).await;
    let accounts = account_component::store::build(store.clone());
    let clock = Clock::fixed(controls::time::processed());
    let handler = CommandHandler::new(store.clone(), accounts.clone(), clock.clone());
    let transactions = TransactionHandler::new(store.clone(), accounts, clock);
    let command_stream = streams::command_stream(controls::id::account());
    for command in commands {
        store
            .write_message(&command_stream, &command.message(), ExpectedVersion::Any)
            .await
            .expect("sent");
        let arrived = last(&store, &command_stream).await;
        for _ in 0..deliveries {
            handler.handle(&arrived).await.expect("handled");
        }
    }
    let reservation = streams::transaction_stream(controls::id::account(), TRANSACTION);
    for _ in 0..2 {
        for reserved in store.read_stream(&reservation, 0, 10).await.expect("read") {
            transactions.handle(&reserved).await.expect("handled");
        }
    }
    store
}

async fn last(store: &MessageStore, stream: &StreamName) -> StoredMessage {
    store
        .read_last(stream, None)
        .await
        .expect("read")
        .expect("written")
}

/// The account's events that answer [`TRANSACTION`], each with
/// its reason when it is a refusal.
async fn answers(store: &MessageStore) -> Vec<(String, Option<Reason>)> {
    let events = store
        .read_stream(&streams::account_stream(controls::id::account()), 0, 100)
        .await
        .expect("read");
    events
        .iter()
        .filter(|event| event.data.contains(&TRANSACTION.to_string()))
        .filter_map(|event| {
            let reason = match event.message_type.as_str() {
                DepositRejected::TYPE => Some(event.decode::<DepositRejected>().ok()?.reason),
                WithdrawalRejected::TYPE => Some(event.decode::<WithdrawalRejected>().ok()?.reason),
                "Deposited" | "Withdrawn" => None,
                _ => return None,
            };
            Some((event.message_type.clone(), reason))
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_command_sent_again_is_one_transaction(first in sent(), later_by in 0i64..3, deliveries in 1usize..3) {
        let again = Sent { later_by, ..first.clone() };
        let store = runtime().block_on(run(&[first, again], deliveries));
        let answers = runtime().block_on(answers(&store));
        prop_assert_eq!(answers.len(), 1, "{:?}", answers);
        prop_assert_ne!(answers[0].1, Some(Reason::TransactionIdInUse));
    }

    #[test]
    fn a_different_command_under_a_reserved_id_is_refused_as_an_id_in_use_once(
        first in sent(),
        second in sent(),
        deliveries in 1usize..3,
    ) {
        prop_assume!(!first.is_the_same_command_as(&second));
        let store = runtime().block_on(run(&[first.clone(), second.clone()], deliveries));
        let answers = runtime().block_on(answers(&store));
        prop_assert_eq!(answers.len(), 2, "{:?}", answers);
        // The first answer is the reserved command's own (whatever the
        // account decided); the other is the second command's refusal, of
        // its own type.
        let in_use: Vec<_> = answers
            .iter()
            .filter(|(_, reason)| *reason == Some(Reason::TransactionIdInUse))
            .collect();
        prop_assert_eq!(in_use.len(), 1, "{:?}", answers);
        let refused_type = if second.deposit { DepositRejected::TYPE } else { WithdrawalRejected::TYPE };
        prop_assert_eq!(in_use[0].0.as_str(), refused_type);
    }
}

#[test]
fn the_reservation_holds_the_first_command_only() {
    let first = Sent {
        deposit: true,
        cents: 1_100,
        correlation: None,
        later_by: 0,
    };
    let second = Sent {
        cents: 1,
        ..first.clone()
    };
    let store = runtime().block_on(run(&[first, second], 2));
    let reservation = streams::transaction_stream(controls::id::account(), TRANSACTION);
    let reserved = runtime()
        .block_on(store.read_stream(&reservation, 0, 10))
        .expect("read");
    assert_eq!(reserved.len(), 1);
    let deposit: Deposit = reserved[0].decode().expect("a Deposit");
    assert_eq!(deposit.amount, Money::from_cents(1_100));
}
