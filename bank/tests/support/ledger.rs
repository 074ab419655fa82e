//! The clients' own books: every command they sent, and, at the end, the
//! outcome the bank reported for it, from which the balances follow.
//!
//! This is how a bank workload is checked in a Jepsen test: the clients
//! know what they asked for and what they were told, so they can say what
//! every balance must be, without trusting the auditor (which reads the
//! store) or the bank's own sums. If the bank applied a deposit twice, or
//! lost a transfer's money, the balances differ from the books.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use account_component::Money;
use account_component::messages::Reason;
use account_component::messages::events::{
    DepositRejected, Deposited, WithdrawalRejected, Withdrawn,
};
use account_component::streams as account_streams;
use messaging::{Message, MessageStore, StoredMessage};
use uuid::Uuid;
use views::Views;
use views::accounts::AccountStatus;
use views::commands::Outcome;
use views::transfers::TransferStatus;

/// A command a client sent.
#[derive(Clone, Debug)]
pub enum Op {
    Open {
        account: Uuid,
    },
    Deposit {
        message_id: Uuid,
        account: Uuid,
        amount: Money,
    },
    Withdraw {
        message_id: Uuid,
        account: Uuid,
        amount: Money,
    },
    Transfer {
        id: Uuid,
        from: Uuid,
        to: Uuid,
        amount: Money,
    },
    Close {
        message_id: Uuid,
        account: Uuid,
    },
    Release {
        transfer: Uuid,
        account: Uuid,
    },
    /// A deposit or a withdrawal sent under a transaction id read from the
    /// store, one a transfer had fixed for its own step: the attack the
    /// derived ids and the reservation's refusal of an id in use stop. Its
    /// outcome is read from the account's own streams, since the views keep
    /// one row per transaction id (the first command's).
    Forged {
        message_id: Uuid,
        account: Uuid,
        amount: Money,
        deposit: bool,
        transaction: Uuid,
    },
}

/// What the clients sent, and how.
#[derive(Debug, Default)]
pub struct Ledger {
    ops: Mutex<Vec<Op>>,
    /// Commands sent twice with the same ids, as a double click or a retry
    /// would.
    pub resent: AtomicUsize,
    /// Commands sent through the web UI's forms.
    pub through_the_web: AtomicUsize,
}

/// How many commands of each kind, and what became of transfers.
#[derive(Debug, Default)]
pub struct Tally {
    pub opens: usize,
    pub deposits: usize,
    pub withdrawals: usize,
    pub transfers: usize,
    pub closes: usize,
    pub closed: usize,
    pub releases: usize,
    pub transferred: usize,
    pub cancelled: usize,
    pub reversed: usize,
    pub held: usize,
    pub released: usize,
    /// Commands sent under an id a transfer fixed for its own step.
    pub forged: usize,
}

impl Tally {
    /// Adds another run's counts to these.
    pub fn add(&mut self, other: &Tally) {
        self.opens += other.opens;
        self.deposits += other.deposits;
        self.withdrawals += other.withdrawals;
        self.transfers += other.transfers;
        self.closes += other.closes;
        self.closed += other.closed;
        self.releases += other.releases;
        self.transferred += other.transferred;
        self.cancelled += other.cancelled;
        self.reversed += other.reversed;
        self.held += other.held;
        self.released += other.released;
        self.forged += other.forged;
    }
}

impl fmt::Display for Tally {
    /// Every count, in one line: what a run reports it did.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "opens {}, deposits {}, withdrawals {}, transfers {} (transferred {}, cancelled {}, \
             reversed {}, refund refused and held {}, released {}), closes {} (closed {}), \
             releases {}, forged ids {}",
            self.opens,
            self.deposits,
            self.withdrawals,
            self.transfers,
            self.transferred,
            self.cancelled,
            self.reversed,
            self.held,
            self.released,
            self.closes,
            self.closed,
            self.releases,
            self.forged,
        )
    }
}

impl Ledger {
    pub fn record(&self, op: Op) {
        self.lock().push(op);
    }

    pub fn accounts(&self) -> Vec<Uuid> {
        self.lock()
            .iter()
            .filter_map(|op| match op {
                Op::Open { account } => Some(*account),
                _ => None,
            })
            .collect()
    }

    /// Every command sent so far, in the order they were recorded.
    pub fn ops(&self) -> Vec<Op> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Op>> {
        self.ops
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }

    /// The first command sent whose outcome the views do not show yet, if
    /// any. At rest there must be none: a command without an outcome was
    /// lost on the way.
    pub async fn first_unanswered(
        &self,
        views: &Views,
        store: &MessageStore,
    ) -> anyhow::Result<Option<Op>> {
        for op in self.ops() {
            let answered = match &op {
                Op::Forged { .. } => forged_outcome(store, &op).await?.is_some(),
                Op::Open { account } => views
                    .account(*account)
                    .await?
                    .is_some_and(|account| account.was_opened()),
                Op::Deposit { message_id, .. } | Op::Withdraw { message_id, .. } => views
                    .sent_command(*message_id)
                    .await?
                    .is_some_and(|command| command.is_processed()),
                // A close of an account closed already is ignored by the
                // account component (closing is idempotent): it has no
                // answer of its own, the account's being closed is the
                // answer.
                Op::Close {
                    message_id,
                    account,
                } => {
                    let seen = views.sent_command(*message_id).await?;
                    let account = views.account(*account).await?;
                    let closed = account.is_some_and(|a| a.status == AccountStatus::Closed);
                    seen.is_some_and(|command| command.is_processed() || closed)
                }
                Op::Transfer { id, .. } => views
                    .transfer(*id)
                    .await?
                    .is_some_and(|transfer| transfer.status.has_ended()),
                Op::Release { transfer, .. } => views
                    .transfer(*transfer)
                    .await?
                    .is_some_and(|transfer| transfer.status == TransferStatus::Released),
            };
            if !answered {
                return Ok(Some(op));
            }
        }
        Ok(None)
    }

    /// The balance every account must have, given the outcome the bank
    /// reported (in its views) for each command sent; and the tally.
    pub async fn expected(
        &self,
        views: &Views,
        store: &MessageStore,
    ) -> anyhow::Result<(BTreeMap<Uuid, i64>, Tally)> {
        let mut balances: BTreeMap<Uuid, i64> = BTreeMap::new();
        let mut tally = Tally::default();
        for op in self.ops() {
            if let Op::Forged {
                account,
                amount,
                deposit,
                ..
            } = op
            {
                tally.forged += 1;
                if forged_outcome(store, &op).await? == Some(true) {
                    let cents = if deposit {
                        amount.cents()
                    } else {
                        -amount.cents()
                    };
                    *balances.entry(account).or_default() += cents;
                }
                continue;
            }
            match op {
                Op::Open { account } => {
                    tally.opens += 1;
                    balances.entry(account).or_default();
                }
                Op::Deposit {
                    message_id,
                    account,
                    amount,
                } => {
                    tally.deposits += 1;
                    if outcome(views, message_id).await? == Some(Outcome::Deposited) {
                        *balances.entry(account).or_default() += amount.cents();
                    }
                }
                Op::Withdraw {
                    message_id,
                    account,
                    amount,
                } => {
                    tally.withdrawals += 1;
                    if outcome(views, message_id).await? == Some(Outcome::Withdrawn) {
                        *balances.entry(account).or_default() -= amount.cents();
                    }
                }
                Op::Close { message_id, .. } => {
                    tally.closes += 1;
                    if outcome(views, message_id).await? == Some(Outcome::Closed) {
                        tally.closed += 1;
                    }
                }
                Op::Transfer {
                    id,
                    from,
                    to,
                    amount,
                } => {
                    tally.transfers += 1;
                    let Some(transfer) = views.transfer(id).await? else {
                        anyhow::bail!("the bank reports nothing of transfer {id}");
                    };
                    let cents = amount.cents();
                    match transfer.status {
                        TransferStatus::Transferred => {
                            tally.transferred += 1;
                            *balances.entry(from).or_default() -= cents;
                            *balances.entry(to).or_default() += cents;
                        }
                        TransferStatus::Cancelled | TransferStatus::Rejected => {
                            tally.cancelled += 1
                        }
                        TransferStatus::Reversed => tally.reversed += 1,
                        TransferStatus::RefundRejected => {
                            tally.held += 1;
                            *balances.entry(from).or_default() -= cents;
                        }
                        TransferStatus::Released => {
                            tally.held += 1;
                            tally.released += 1;
                            *balances.entry(from).or_default() -= cents;
                            let chosen = transfer.release_account_id.unwrap_or_default();
                            *balances.entry(chosen).or_default() += cents;
                        }
                        unfinished => {
                            anyhow::bail!("transfer {id} is still {unfinished} at rest")
                        }
                    }
                }
                Op::Forged { .. } => {}
                Op::Release { transfer, account } => {
                    tally.releases += 1;
                    let paid_into = views
                        .transfer(transfer)
                        .await?
                        .and_then(|t| t.release_account_id);
                    if paid_into != Some(account) {
                        anyhow::bail!(
                            "transfer {transfer}'s money was to be released into {account}, \
                             the bank reports {paid_into:?}"
                        );
                    }
                }
            }
        }
        Ok((balances, tally))
    }
}

async fn outcome(views: &Views, message_id: Uuid) -> anyhow::Result<Option<Outcome>> {
    Ok(views
        .sent_command(message_id)
        .await?
        .and_then(|command| command.outcome))
}

/// What became of a forged command, from the account's own streams: `None`
/// while it is not answered; `Some(true)` when it took the transaction id
/// (it was reserved first) and its money moved; `Some(false)` when it was
/// refused, for an id in use or any other reason.
async fn forged_outcome(store: &MessageStore, op: &Op) -> anyhow::Result<Option<bool>> {
    let Op::Forged {
        message_id,
        account,
        deposit,
        transaction,
        ..
    } = op
    else {
        return Ok(None);
    };
    let commands = read_all(store, &account_streams::command_stream(*account)).await?;
    let Some(sent) = commands.iter().find(|message| message.id == *message_id) else {
        anyhow::bail!("the forged command {message_id} is not in the store");
    };
    let reservation = read_all(
        store,
        &account_streams::transaction_stream(*account, *transaction),
    )
    .await?;
    let holds_the_id = reservation.first().is_some_and(|reserved| {
        reserved
            .metadata()
            .ok()
            .and_then(|metadata| metadata.causation_message_global_position)
            == Some(sent.global_position)
    });
    let events = read_all(store, &account_streams::account_stream(*account)).await?;
    for event in &events {
        let (id, moved, reason, sequence) = match event.message_type.as_str() {
            Deposited::TYPE if *deposit => {
                let e: Deposited = event.decode()?;
                (e.deposit_id, true, None, e.sequence)
            }
            Withdrawn::TYPE if !*deposit => {
                let e: Withdrawn = event.decode()?;
                (e.withdrawal_id, true, None, e.sequence)
            }
            DepositRejected::TYPE if *deposit => {
                let e: DepositRejected = event.decode()?;
                (e.deposit_id, false, Some(e.reason), e.sequence)
            }
            WithdrawalRejected::TYPE if !*deposit => {
                let e: WithdrawalRejected = event.decode()?;
                (e.withdrawal_id, false, Some(e.reason), e.sequence)
            }
            _ => continue,
        };
        if id != *transaction {
            continue;
        }
        let in_use = reason == Some(Reason::TransactionIdInUse);
        if holds_the_id && !in_use {
            // The account's answer to the reservation it made of this
            // command.
            return Ok(Some(moved));
        }
        if !holds_the_id && in_use && sequence == sent.global_position {
            return Ok(Some(false));
        }
    }
    Ok(None)
}

/// Every message of one stream.
async fn read_all(
    store: &MessageStore,
    stream: &messaging::StreamName,
) -> anyhow::Result<Vec<StoredMessage>> {
    Ok(store.read_stream(stream, 0, 10_000).await?)
}
