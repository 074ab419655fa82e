//! The clients: they open accounts, deposit, withdraw, transfer, empty and
//! close accounts, and release money the bank holds; now and then they send
//! a command again, as a double click (the same message) or a client that
//! timed out (the same command in a new message) would. One of them is an
//! attacker, who reads a transfer's step ids off the store and sends
//! commands of its own under them; and the operator sometimes releases the
//! same held money twice. Every command they know was stored goes into the
//! ledger.
//!
//! A write can fail two ways (`messaging::store::WriteFailure`). When
//! nothing was stored the client gives up, as a person told "nothing was
//! sent" would. When the answer was lost the client cannot know, so it sends
//! the very same message again until the store says it has it: the
//! protocol the web UI's "may have been sent" page asks of a person.

use std::collections::BTreeMap;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};
use funds_transfer_component::messages::events::Initiated;
use funds_transfer_component::streams as transfer_streams;
use messaging::{ExpectedVersion, NewMessage, StoreError, StreamName};
use test_processes::Dice;
use uuid::Uuid;
use views::Views;

use crate::ledger::{Ledger, Op};
use crate::setup::Parts;

/// Accounts opened first are never closed: the operator releases held
/// money into them, and a release into a closed account would be refused.
const KEPT_OPEN: usize = 2;

/// A command on its way: where it goes, the message, and what the ledger
/// records once it is known to be stored.
#[derive(Clone, Debug)]
struct Sending {
    stream: StreamName,
    message: NewMessage,
    op: Op,
}

/// The clients, and what they have done.
pub struct Workload {
    pub ledger: Ledger,
    /// Operations still to start.
    remaining: usize,
    /// Accounts the clients opened, oldest first (perhaps not open yet).
    accounts: Vec<Uuid>,
    /// Commands stored, which a client may send again.
    stored: Vec<Sending>,
    /// Commands whose write may or may not have been stored.
    unknown: Vec<Sending>,
    /// Accounts the clients tried to close.
    closing: Vec<Uuid>,
    /// Accounts to close once a transfer has taken their money: (account,
    /// transfer).
    leaving: Vec<(Uuid, Uuid)>,
    /// Transfers whose held money the operator asked to release, and the
    /// account it was to go to.
    releasing: BTreeMap<Uuid, Uuid>,
    /// Transfers the clients sent, which the attacker may pick.
    transfers: Vec<Uuid>,
    /// Sends the store refused before storing them (the client gave up).
    pub given_up: usize,
    /// Sends whose outcome was unknown, later resolved by sending again.
    pub unknown_outcomes: usize,
}

impl Workload {
    pub fn new(operations: usize) -> Workload {
        Workload {
            ledger: Ledger::default(),
            remaining: operations,
            accounts: Vec::new(),
            stored: Vec::new(),
            unknown: Vec::new(),
            closing: Vec::new(),
            leaving: Vec::new(),
            releasing: BTreeMap::new(),
            transfers: Vec::new(),
            given_up: 0,
            unknown_outcomes: 0,
        }
    }

    /// Whether every operation was started and every write is known.
    pub fn is_done(&self) -> bool {
        self.remaining == 0 && self.unknown.is_empty()
    }

    /// One client action; returns what it did, for the trace.
    pub async fn act(&mut self, parts: &Parts, dice: &mut Dice) -> anyhow::Result<String> {
        if !self.unknown.is_empty() && (self.remaining == 0 || dice.below(2) == 0) {
            return self.send_unknown_again(parts).await;
        }
        if let Some(closed) = self.close_when_emptied(parts, dice).await? {
            return Ok(closed);
        }
        if self.remaining == 0 {
            return Ok("nothing left to do".to_string());
        }
        self.remaining -= 1;
        if !self.stored.is_empty() && dice.below(10) == 0 {
            return self.send_again(parts, dice).await;
        }
        if !self.transfers.is_empty() && dice.below(12) == 0 {
            return self.reuse_an_id(parts, dice).await;
        }
        let amount = Money::from_cents(1 + dice.below(30_000) as i64);
        let account = self.pick(dice);
        let action = match (dice.below(100), account) {
            (0..=11, _) | (_, None) => self.open(parts, dice).await?,
            (12..=46, Some(account)) => self.deposit(parts, dice, account, amount).await?,
            (47..=66, Some(account)) => self.withdraw(parts, dice, account, amount).await?,
            (67..=86, Some(from)) => {
                let Some(to) = self.pick(dice).filter(|to| *to != from) else {
                    return Ok("a transfer to itself, not sent".to_string());
                };
                self.transfer(parts, dice, from, to, amount).await?.1
            }
            (87..=90, Some(account)) => self.empty_and_close(parts, dice, account).await?,
            (91..=94, _) => self.move_out_and_close(parts, dice).await?,
            (95..=97, Some(_)) => self.close_again(parts, dice).await?,
            (_, Some(_)) => self
                .release(parts, dice)
                .await?
                .unwrap_or_else(|| "nothing to release".to_string()),
        };
        Ok(action)
    }

    fn pick(&self, dice: &mut Dice) -> Option<Uuid> {
        (!self.accounts.is_empty())
            .then(|| self.accounts[dice.below(self.accounts.len() as u64) as usize])
    }

    async fn open(&mut self, parts: &Parts, dice: &mut Dice) -> anyhow::Result<String> {
        let account = new_id(dice);
        let open = Open {
            account_id: account,
            customer_id: new_id(dice),
            holder_name: format!("Holder {}", self.accounts.len()),
            time: parts.clock.now(),
        };
        let command = AccountCommand::open(&open)?.with_message_id(new_id(dice));
        let sent = self
            .send(
                parts,
                command.stream_name(),
                command.message(),
                Op::Open { account },
            )
            .await;
        // Even an open whose write is still unknown names an account the
        // clients may use: commands to it are answered either way.
        self.accounts.push(account);
        Ok(sent)
    }

    async fn deposit(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        account: Uuid,
        amount: Money,
    ) -> anyhow::Result<String> {
        let id = new_id(dice);
        let deposit = Deposit {
            deposit_id: id,
            account_id: account,
            amount,
            time: parts.clock.now(),
            reference: reference_for(id),
        };
        let command = AccountCommand::deposit(&deposit)?.with_message_id(new_id(dice));
        let op = Op::Deposit {
            message_id: command.message().id,
            account,
            amount,
        };
        Ok(self
            .send(parts, command.stream_name(), command.message(), op)
            .await)
    }

    /// Sends a transfer; its id, and what became of the write.
    async fn transfer(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        from: Uuid,
        to: Uuid,
        amount: Money,
    ) -> anyhow::Result<(Uuid, String)> {
        let id = new_id(dice);
        let transfer = Transfer {
            funds_transfer_id: id,
            withdrawal_account_id: from,
            deposit_account_id: to,
            amount,
            time: parts.clock.now(),
            reference: reference_for(id),
        };
        self.transfers.push(transfer.funds_transfer_id);
        let command = TransferCommand::transfer(&transfer)?.with_message_id(new_id(dice));
        let op = Op::Transfer {
            id: transfer.funds_transfer_id,
            from,
            to,
            amount,
        };
        let sent = self
            .send(parts, command.stream_name(), command.message(), op)
            .await;
        Ok((transfer.funds_transfer_id, sent))
    }

    async fn withdraw(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        account: Uuid,
        amount: Money,
    ) -> anyhow::Result<String> {
        let id = new_id(dice);
        let withdraw = Withdraw {
            withdrawal_id: id,
            account_id: account,
            amount,
            time: parts.clock.now(),
            reference: reference_for(id),
        };
        let command = AccountCommand::withdraw(&withdraw)?.with_message_id(new_id(dice));
        let op = Op::Withdraw {
            message_id: command.message().id,
            account,
            amount,
        };
        Ok(self
            .send(parts, command.stream_name(), command.message(), op)
            .await)
    }

    /// Takes out what the views say the account holds, then closes it
    /// (either may be refused: other clients move money meanwhile).
    async fn empty_and_close(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        account: Uuid,
    ) -> anyhow::Result<String> {
        if self.is_kept_open(account) {
            return Ok("an account kept open, not closed".to_string());
        }
        let mut done = Vec::new();
        let shown = Views::new(&parts.views).account(account).await?;
        if let Some(balance) = shown.map(|row| row.balance).filter(|b| b.is_positive()) {
            done.push(self.withdraw(parts, dice, account, balance).await?);
        }
        done.push(self.close(parts, dice, account).await?);
        Ok(done.join("; "))
    }

    /// A customer who is paid and leaves: a new account gets a deposit,
    /// and everything is moved, by mistake, to an account just opened and
    /// closed. The customer closes the account they leave once the views
    /// show the transfer's withdrawal. The deposit is refused; if the close
    /// came before the refund, the refund meets the account closed too, and
    /// the bank holds the money.
    async fn move_out_and_close(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
    ) -> anyhow::Result<String> {
        let mut done = vec![self.open(parts, dice).await?];
        let from = *self.accounts.last().expect("just opened");
        let amount = Money::from_cents(1 + dice.below(30_000) as i64);
        done.push(self.deposit(parts, dice, from, amount).await?);
        done.push(self.open(parts, dice).await?);
        let to = *self.accounts.last().expect("just opened");
        done.push(self.close(parts, dice, to).await?);
        let (funds_transfer_id, sent) = self.transfer(parts, dice, from, to, amount).await?;
        done.push(sent);
        self.leaving.push((from, funds_transfer_id));
        Ok(done.join("; "))
    }

    /// A leaving customer closes the account they left as soon as the views
    /// show the transfer's withdrawal: often while the transfer is still in
    /// flight, so that its refund meets the account closed.
    async fn close_when_emptied(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
    ) -> anyhow::Result<Option<String>> {
        let Some(&(from, transfer)) = self.leaving.first() else {
            return Ok(None);
        };
        let views = Views::new(&parts.views);
        let ended = views
            .transfer(transfer)
            .await?
            .is_some_and(|transfer| transfer.status.has_ended());
        let emptied = views
            .transfer(transfer)
            .await?
            .is_some_and(|transfer| transfer.withdrawn_time.is_some());
        if ended {
            self.leaving.remove(0);
            return Ok(None);
        }
        if !emptied {
            return Ok(None);
        }
        self.leaving.remove(0);
        Ok(Some(self.close(parts, dice, from).await?))
    }

    /// Closes again an account the clients tried to close that the views
    /// still show open (the first close was refused: money was still in it).
    async fn close_again(&mut self, parts: &Parts, dice: &mut Dice) -> anyhow::Result<String> {
        let views = Views::new(&parts.views);
        for account in self.closing.clone() {
            if views.account(account).await?.is_some_and(|a| a.is_open()) {
                return self.close(parts, dice, account).await;
            }
        }
        Ok("nothing to close again".to_string())
    }

    async fn close(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        account: Uuid,
    ) -> anyhow::Result<String> {
        let close = Close {
            account_id: account,
            time: parts.clock.now(),
        };
        let command = AccountCommand::close(&close)?.with_message_id(new_id(dice));
        let op = Op::Close {
            message_id: command.message().id,
            account,
        };
        if !self.closing.contains(&account) {
            self.closing.push(account);
        }
        Ok(self
            .send(parts, command.stream_name(), command.message(), op)
            .await)
    }

    fn is_kept_open(&self, account: Uuid) -> bool {
        self.accounts
            .iter()
            .take(KEPT_OPEN)
            .any(|kept| *kept == account)
    }

    /// The operator releases money a transfer holds into an account kept
    /// open, once the views show it held.
    /// Returns what was sent, or `None` when there is nothing to release or
    /// no account to release it into.
    pub async fn release(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
    ) -> anyhow::Result<Option<String>> {
        let views = Views::new(&parts.views);
        // Now and then the operator, unsure the first went through, sends
        // a release of money already being released, to the same account:
        // the bank must pay it out once.
        if !self.releasing.is_empty()
            && dice.below(4) == 0
            && let Some((&transfer, &account)) = self
                .releasing
                .iter()
                .nth(dice.below(self.releasing.len() as u64) as usize)
        {
            let again = self.send_release(parts, dice, transfer, account).await?;
            return Ok(Some(format!("{again} (released again)")));
        }
        let held = views.held_transfers().await?;
        let Some(transfer) = held
            .iter()
            .find(|transfer| !self.releasing.contains_key(&transfer.funds_transfer_id))
        else {
            return Ok(None);
        };
        let kept = self
            .accounts
            .iter()
            .take(KEPT_OPEN)
            .copied()
            .collect::<Vec<_>>();
        let mut open = None;
        for account in kept {
            if views.account(account).await?.is_some_and(|a| a.is_open()) {
                open = Some(account);
            }
        }
        let Some(account) = open else {
            return Ok(None);
        };
        let transfer = transfer.funds_transfer_id;
        self.releasing.insert(transfer, account);
        let sent = self.send_release(parts, dice, transfer, account).await?;
        // Now and then from two tabs at once: the second release is sent
        // before the first can be answered, and is refused as another
        // release under way, never paid out beside it.
        if dice.below(3) == 0 {
            let again = self.send_release(parts, dice, transfer, account).await?;
            return Ok(Some(format!("{sent}, and at once {again}")));
        }
        Ok(Some(sent))
    }

    /// Asks for the money `transfer` holds to go to `account`, under a new
    /// release id.
    async fn send_release(
        &mut self,
        parts: &Parts,
        dice: &mut Dice,
        transfer: Uuid,
        account: Uuid,
    ) -> anyhow::Result<String> {
        let release = ReleaseHeldRefund {
            funds_transfer_id: transfer,
            release_id: new_id(dice),
            account_id: account,
            time: parts.clock.now(),
        };
        let command = TransferCommand::release_held_refund(&release)?.with_message_id(new_id(dice));
        let op = Op::Release { transfer, account };
        Ok(self
            .send(parts, command.stream_name(), command.message(), op)
            .await)
    }

    /// The attacker: reads a transfer's `Initiated` off the store (as anyone
    /// can, in the inspector), and sends a small deposit to its destination
    /// under the transfer's deposit id, or a small withdrawal from its
    /// source under its withdrawal id. Whichever reaches the account first
    /// holds the id; the other is refused as an id in use; and the transfer
    /// still ends, with every cent where it belongs.
    async fn reuse_an_id(&mut self, parts: &Parts, dice: &mut Dice) -> anyhow::Result<String> {
        let transfer = self.transfers[dice.below(self.transfers.len() as u64) as usize];
        let stream = transfer_streams::transfer_stream(transfer);
        let first = parts.store.read_stream(&stream, 0, 1).await?;
        let Some(initiated) = first
            .first()
            .filter(|message| message.is::<Initiated>())
            .map(|message| message.decode::<Initiated>())
            .transpose()?
        else {
            return Ok("the attacker found no transfer started yet".to_string());
        };
        let amount = Money::from_cents(1 + dice.below(100) as i64);
        let deposit = dice.below(2) == 0;
        let (account, transaction, command) = if deposit {
            let forged = Deposit {
                deposit_id: initiated.deposit_id,
                account_id: initiated.deposit_account_id,
                amount,
                time: parts.clock.now(),
                reference: None,
            };
            let command = AccountCommand::deposit(&forged)?;
            (forged.account_id, forged.deposit_id, command)
        } else {
            let forged = Withdraw {
                withdrawal_id: initiated.withdrawal_id,
                account_id: initiated.withdrawal_account_id,
                amount,
                time: parts.clock.now(),
                reference: None,
            };
            let command = AccountCommand::withdraw(&forged)?;
            (forged.account_id, forged.withdrawal_id, command)
        };
        let command = command.with_message_id(new_id(dice));
        let op = Op::Forged {
            message_id: command.message().id,
            account,
            amount,
            deposit,
            transaction,
        };
        let sent = self
            .send(parts, command.stream_name(), command.message(), op)
            .await;
        Ok(format!(
            "the attacker, under transfer {transfer}'s ids: {sent}"
        ))
    }

    /// A command sent before, again: the same message (a double click), or
    /// the same command in a new message (a client that timed out). Either
    /// way the bank must apply it once.
    async fn send_again(&mut self, parts: &Parts, dice: &mut Dice) -> anyhow::Result<String> {
        let earlier = self.stored[dice.below(self.stored.len() as u64) as usize].clone();
        if matches!(earlier.op, Op::Close { .. }) {
            // A close in a new message is another close; send the same one.
            return Ok(self.resend(parts, &earlier.stream, &earlier.message).await);
        }
        let message = if dice.below(2) == 0 {
            earlier.message.clone()
        } else {
            earlier.message.clone().with_id(new_id(dice))
        };
        self.ledger
            .resent
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(self.resend(parts, &earlier.stream, &message).await)
    }

    async fn resend(&mut self, parts: &Parts, stream: &StreamName, message: &NewMessage) -> String {
        let written = parts
            .store
            .write_message(stream, message, ExpectedVersion::Any)
            .await;
        format!(
            "sent again {} to {stream}: {}",
            message.message_type,
            verdict(&written)
        )
    }

    async fn send_unknown_again(&mut self, parts: &Parts) -> anyhow::Result<String> {
        let sending = self.unknown.remove(0);
        let written = parts
            .store
            .write_message(&sending.stream, &sending.message, ExpectedVersion::Any)
            .await;
        let verdict = verdict(&written);
        match written {
            Ok(_) | Err(StoreError::DuplicateMessageId { .. }) => {
                self.known_stored(sending.clone())
            }
            Err(_) => self.unknown.push(sending.clone()),
        }
        Ok(format!(
            "sent {} to {} again, its outcome unknown: {verdict}",
            sending.message.message_type, sending.stream
        ))
    }

    /// Writes a new command; returns what happened, for the trace.
    async fn send(
        &mut self,
        parts: &Parts,
        stream: &StreamName,
        message: &NewMessage,
        op: Op,
    ) -> String {
        let written = parts
            .store
            .write_message(stream, message, ExpectedVersion::Any)
            .await;
        let sending = Sending {
            stream: stream.clone(),
            message: message.clone(),
            op,
        };
        match &written {
            Ok(_) => self.known_stored(sending),
            Err(error) if error.outcome_is_unknown() => {
                self.unknown_outcomes += 1;
                self.unknown.push(sending);
            }
            Err(_) => self.given_up += 1,
        }
        format!(
            "sent {} to {stream}: {}",
            message.message_type,
            verdict(&written)
        )
    }

    fn known_stored(&mut self, sending: Sending) {
        self.ledger.record(sending.op.clone());
        self.stored.push(sending);
    }
}

fn verdict<T>(written: &Result<T, StoreError>) -> &'static str {
    match written {
        Ok(_) => "stored",
        Err(StoreError::DuplicateMessageId { .. }) => "stored before",
        Err(error) if error.outcome_is_unknown() => "outcome unknown",
        Err(_) => "not stored",
    }
}

/// A new id, from the dice: the same seed names the same accounts and
/// transactions every time.
pub fn new_id(dice: &mut Dice) -> Uuid {
    let high = u128::from(dice.below(u64::MAX));
    let low = u128::from(dice.below(u64::MAX));
    uuid::Builder::from_random_bytes(((high << 64) | low).to_be_bytes()).into_uuid()
}

/// A reference for about half the commands, chosen by their id so that it
/// costs the dice nothing: the messages of both shapes go through every
/// seed.
fn reference_for(id: Uuid) -> Option<String> {
    let text = id.simple().to_string();
    text.ends_with(['0', '2', '4', '6', '8', 'a', 'c', 'e'])
        .then(|| format!("ref {}", &text[..6]))
}
