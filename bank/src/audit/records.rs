//! The records the auditor reconciles, read from the message store.
//!
//! Three records of every deposit and withdrawal exist, written by
//! different hands at different times: the *command* someone sent
//! (`account:command-{account}`), the account component's *reservation*
//! of it (`accountTransaction-{account}+{transaction}`), and the account's
//! *answer* (`account-{account}`: `Deposited`, `Withdrawn` or a refusal).
//! A transfer adds a fourth: its own events (`fundsTransfer-{id}`). The
//! auditor reads all of them once, into the plain structures below, and
//! checks that they tell one story.

use std::collections::{BTreeMap, HashMap};

use account_component::Money;
use account_component::messages::Reason;
use account_component::messages::commands::{Deposit, Withdraw};
use account_component::messages::events as account;
use account_component::streams as account_streams;
use funds_transfer_component::messages::events as transfer;
use funds_transfer_component::streams as transfer_streams;
use messaging::consumer::DeadLettered;
use messaging::{
    Category, CategoryRead, Message, MessageError, MessageStore, StoredMessage, StreamName,
};
use uuid::Uuid;

/// Money in or money out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// A `Deposit` or `Withdraw` as sent.
#[derive(Clone, Debug)]
pub struct Command {
    /// Where it was sent: its global position.
    pub global_position: i64,
    pub direction: Direction,
    pub transaction_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    /// The transfer it was sent for, from its correlation.
    pub transfer: Option<Uuid>,
}

/// A reserved copy of a command.
#[derive(Clone, Debug)]
pub struct Reservation {
    pub stream_name: StreamName,
    pub global_position: i64,
    pub command: Command,
}

/// An account's answer to a deposit or a withdrawal.
#[derive(Clone, Debug)]
pub struct Answer {
    pub stream_name: StreamName,
    pub position: i64,
    pub global_position: i64,
    pub message_type: String,
    pub direction: Direction,
    /// Whether the money moved (`Deposited`, `Withdrawn`) or not (a refusal).
    pub accepted: bool,
    pub transaction_id: Uuid,
    /// The account of the stream it is in.
    pub account_id: Uuid,
    pub amount: Money,
    /// The transfer it answers for, from its correlation.
    pub transfer: Option<Uuid>,
    /// What its metadata says caused it: a stream and a global position.
    pub causation: Option<(String, i64)>,
    /// Whether it refuses a command because another had reserved the
    /// transaction's id first (`Reason::TransactionIdInUse`). Such a
    /// refusal answers that command, not the reservation of the id.
    pub refuses_an_id_in_use: bool,
}

impl Answer {
    /// How much it changed its account's balance by, in cents. (In 128
    /// bits, as every sum of the auditor: an honest bank's balances fit in
    /// an `i64`, but the auditor must answer any store, and the sums of a
    /// damaged one need not.)
    pub fn change(&self) -> i128 {
        let cents = i128::from(self.amount.cents());
        match (self.accepted, self.direction) {
            (false, _) => 0,
            (true, Direction::In) => cents,
            (true, Direction::Out) => -cents,
        }
    }

    /// How it is named in a violation.
    pub fn describe(&self) -> String {
        format!(
            "{} {} at {} position {}",
            self.message_type, self.transaction_id, self.stream_name, self.position
        )
    }
}

/// A transfer, as its own stream tells it.
#[derive(Clone, Debug, Default)]
pub struct TransferRecord {
    pub initiated: bool,
    pub amount: Money,
    pub from: Option<Uuid>,
    pub to: Option<Uuid>,
    pub withdrawal_id: Option<Uuid>,
    pub deposit_id: Option<Uuid>,
    pub refund_id: Option<Uuid>,
    /// Each release an operator asked for, and the account it chose.
    pub releases: BTreeMap<Uuid, Uuid>,
    /// `Transferred`, `Cancelled`, `Reversed` or `RefundRejected`, as many
    /// times as they were written.
    pub endings: Vec<&'static str>,
    /// Whether the money it held was released (`Released`).
    pub released: bool,
}

/// A message a consumer parked in its dead-letter stream, because its
/// content could not be handled.
#[derive(Clone, Debug)]
pub struct Parked {
    /// The dead-letter stream it was parked in.
    pub dead_letter: String,
    /// What the record says of the message.
    pub record: DeadLettered,
}

impl Parked {
    /// How it is listed.
    pub fn describe(&self) -> String {
        format!(
            "{} at {} position {} (global {}), parked in {} by {}: {}",
            self.record.message_type,
            self.record.stream_name,
            self.record.position,
            self.record.global_position,
            self.dead_letter,
            self.record.consumer,
            self.record.error
        )
    }
}

/// Everything the auditor reads.
#[derive(Debug, Default)]
pub struct Records {
    /// The commands, by transaction id (a command sent twice is there
    /// twice).
    pub commands: HashMap<Uuid, Vec<Command>>,
    /// The reservations, by account and transaction.
    pub reservations: HashMap<(Uuid, Uuid), Reservation>,
    /// Every answer, in global order.
    pub answers: Vec<Answer>,
    /// The accounts that were opened.
    pub opened: Vec<Uuid>,
    /// The transfers, by id.
    pub transfers: BTreeMap<Uuid, TransferRecord>,
    /// How many account events there were, of any type.
    pub account_events: usize,
    /// The messages consumers parked, from every dead-letter stream of the
    /// categories above.
    pub parked: Vec<Parked>,
    /// Account and transfer events the auditor could not read: each a
    /// violation (only the components write them, and they write them
    /// readable).
    pub unreadable: Vec<String>,
}

impl Records {
    /// Reads the whole store.
    pub async fn read(store: &MessageStore) -> anyhow::Result<Records> {
        let mut records = Records::default();
        for message in read_all(store, account_streams::COMMAND_CATEGORY).await? {
            // A command that cannot be read, or is addressed to another
            // account than its stream's, was parked by the account
            // component and never acted on.
            if let Some(command) = command(&message)
                && account_streams::account_id_of(&message.stream_name) == Some(command.account_id)
            {
                let id = command.transaction_id;
                records.commands.entry(id).or_default().push(command);
            }
        }
        for message in read_all(store, account_streams::TRANSACTION_CATEGORY).await? {
            // A reservation stream holds one message; a second would be a
            // reservation that failed to reserve.
            if message.position != 0 {
                continue;
            }
            if let Some(command) = command(&message) {
                let key = (command.account_id, command.transaction_id);
                records.reservations.insert(
                    key,
                    Reservation {
                        stream_name: message.stream_name.clone(),
                        global_position: message.global_position,
                        command,
                    },
                );
            }
        }
        for message in read_all(store, account_streams::CATEGORY).await? {
            records.account_events += 1;
            if message.is::<account::Opened>()
                && let Some(id) = account_streams::account_id_of(&message.stream_name)
            {
                records.opened.push(id);
            }
            match answer(&message) {
                Ok(Some(answer)) => records.answers.push(answer),
                Ok(None) => {}
                Err(error) => records.unreadable.push(unreadable(&message, &error)),
            }
        }
        for message in read_all(store, transfer_streams::CATEGORY).await? {
            let Some(id) = transfer_streams::transfer_id_of(message.stream_name.as_str()) else {
                continue;
            };
            if let Err(error) = step(records.transfers.entry(id).or_default(), &message) {
                records.unreadable.push(unreadable(&message, &error));
            }
        }
        for category in [
            account_streams::COMMAND_CATEGORY,
            account_streams::TRANSACTION_CATEGORY,
            account_streams::CATEGORY,
            transfer_streams::COMMAND_CATEGORY,
            transfer_streams::CATEGORY,
        ] {
            // Every consumer of a category parks in a stream of the
            // category's `+deadLetter` companion (one per consumer
            // identifier or group member): one category read finds them all.
            for message in read_all(store, category.companion("deadLetter")).await? {
                match message.decode::<DeadLettered>() {
                    Ok(record) => records.parked.push(Parked {
                        dead_letter: message.stream_name.to_string(),
                        record,
                    }),
                    Err(error) => records.unreadable.push(unreadable(&message, &error)),
                }
            }
        }
        Ok(records)
    }

    /// Whether the message at `global_position` was parked by a consumer.
    pub fn was_parked(&self, global_position: i64) -> bool {
        self.parked
            .iter()
            .any(|parked| parked.record.global_position == global_position)
    }
}

/// How a message the auditor could not read is reported.
fn unreadable(message: &StoredMessage, error: &impl std::fmt::Display) -> String {
    format!(
        "the {} at {} position {} cannot be read: {error}",
        message.message_type, message.stream_name, message.position
    )
}

/// Reads every message of `category`.
async fn read_all(store: &MessageStore, category: Category) -> anyhow::Result<Vec<StoredMessage>> {
    let mut read = CategoryRead::new(category).batch_size(1000);
    let mut all = Vec::new();
    loop {
        let batch = store.read_category(&read).await?;
        let Some(last) = batch.last() else {
            return Ok(all);
        };
        read.from_global_position = last.next_global_position()?;
        all.extend(batch);
    }
}

/// The transfer a message is correlated with, if any.
fn correlated_transfer(message: &StoredMessage) -> Option<Uuid> {
    message
        .metadata()
        .ok()?
        .correlation_stream_name
        .as_deref()
        .and_then(transfer_streams::transfer_id_of)
}

/// A `Deposit` or `Withdraw`, if the message is one that can be read.
fn command(message: &StoredMessage) -> Option<Command> {
    let transfer = correlated_transfer(message);
    if message.is::<Deposit>() {
        let deposit: Deposit = message.decode().ok()?;
        return Some(Command {
            global_position: message.global_position,
            direction: Direction::In,
            transaction_id: deposit.deposit_id,
            account_id: deposit.account_id,
            amount: deposit.amount,
            transfer,
        });
    }
    if message.is::<Withdraw>() {
        let withdraw: Withdraw = message.decode().ok()?;
        return Some(Command {
            global_position: message.global_position,
            direction: Direction::Out,
            transaction_id: withdraw.withdrawal_id,
            account_id: withdraw.account_id,
            amount: withdraw.amount,
            transfer,
        });
    }
    None
}

/// An account event that answers a deposit or a withdrawal.
fn answer(message: &StoredMessage) -> Result<Option<Answer>, MessageError> {
    let in_use = |reason: Reason| reason.answers_a_command();
    let (direction, accepted, transaction_id, amount, refuses_an_id_in_use) =
        match message.message_type.as_str() {
            account::Deposited::TYPE => {
                let e: account::Deposited = message.decode()?;
                (Direction::In, true, e.deposit_id, e.amount, false)
            }
            account::DepositRejected::TYPE => {
                let e: account::DepositRejected = message.decode()?;
                (
                    Direction::In,
                    false,
                    e.deposit_id,
                    e.amount,
                    in_use(e.reason),
                )
            }
            account::Withdrawn::TYPE => {
                let e: account::Withdrawn = message.decode()?;
                (Direction::Out, true, e.withdrawal_id, e.amount, false)
            }
            account::WithdrawalRejected::TYPE => {
                let e: account::WithdrawalRejected = message.decode()?;
                (
                    Direction::Out,
                    false,
                    e.withdrawal_id,
                    e.amount,
                    in_use(e.reason),
                )
            }
            _ => return Ok(None),
        };
    let Some(account_id) = account_streams::account_id_of(&message.stream_name) else {
        return Ok(None);
    };
    let metadata = message.metadata()?;
    let causation = metadata
        .causation_message_stream_name
        .zip(metadata.causation_message_global_position);
    Ok(Some(Answer {
        stream_name: message.stream_name.clone(),
        position: message.position,
        global_position: message.global_position,
        message_type: message.message_type.clone(),
        direction,
        accepted,
        transaction_id,
        account_id,
        amount,
        transfer: correlated_transfer(message),
        causation,
        refuses_an_id_in_use,
    }))
}

/// Applies one of a transfer's own events to its record.
fn step(record: &mut TransferRecord, message: &StoredMessage) -> Result<(), MessageError> {
    match message.message_type.as_str() {
        transfer::Initiated::TYPE => {
            let e: transfer::Initiated = message.decode()?;
            record.initiated = true;
            record.amount = e.amount;
            record.from = Some(e.withdrawal_account_id);
            record.to = Some(e.deposit_account_id);
            record.withdrawal_id = Some(e.withdrawal_id);
            record.deposit_id = Some(e.deposit_id);
            record.refund_id = Some(e.refund_id);
        }
        transfer::ReleaseRequested::TYPE => {
            let e: transfer::ReleaseRequested = message.decode()?;
            record.releases.insert(e.release_id, e.account_id);
        }
        transfer::Released::TYPE => record.released = true,
        transfer::Transferred::TYPE => record.endings.push("Transferred"),
        transfer::Cancelled::TYPE => record.endings.push("Cancelled"),
        transfer::Reversed::TYPE => record.endings.push("Reversed"),
        transfer::RefundRejected::TYPE => record.endings.push("RefundRejected"),
        _ => {}
    }
    Ok(())
}
