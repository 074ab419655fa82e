//! What happened underneath a click: the messages a form's command caused,
//! each with its stream and global position, under the notice that reports
//! on it. The demo teaches while it is clicked through: a deposit is a
//! `Deposit` command in `account:command-{id}`, its reservation in
//! `accountTransaction-{id}+{deposit}`, and the `Deposited` event in
//! `account-{id}`.
//!
//! Everything here comes from the views (the command's row: its kind, its
//! account, the global positions of the command and of its answer) and from
//! the components' own stream names; the page reads nothing else. The
//! inspector, one link away, shows the messages themselves.

use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::messages::events::{
    CloseRejected, Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};
use account_component::streams;
use messaging::Message;
use views::commands::{Command, CommandKind, Outcome};

use crate::pages::TrailStep;

/// The trail of an account's command (open, deposit, withdraw, close), as
/// far as the views have seen it; empty for other commands (a transfer's
/// own page shows its steps).
pub fn trail(command: &Command) -> Vec<TrailStep> {
    let (Some(account_id), Some(message_id)) = (command.account_id, command.message_id) else {
        return Vec::new();
    };
    let (command_type, answers): (&str, &[(Outcome, &str)]) = match command.kind {
        CommandKind::Open => (Open::TYPE, &[(Outcome::Opened, Opened::TYPE)]),
        CommandKind::Deposit => (
            Deposit::TYPE,
            &[
                (Outcome::Deposited, Deposited::TYPE),
                (Outcome::Rejected, DepositRejected::TYPE),
            ],
        ),
        CommandKind::Withdraw => (
            Withdraw::TYPE,
            &[
                (Outcome::Withdrawn, Withdrawn::TYPE),
                (Outcome::Rejected, WithdrawalRejected::TYPE),
            ],
        ),
        CommandKind::Close => (
            Close::TYPE,
            &[
                (Outcome::Closed, Closed::TYPE),
                (Outcome::Rejected, CloseRejected::TYPE),
            ],
        ),
        CommandKind::Transfer | CommandKind::Release => return Vec::new(),
    };
    let link = format!("/inspector?account={account_id}");
    let step = |what: String, stream: String, global_position: Option<i64>| TrailStep {
        what,
        stream,
        global_position,
        link: link.clone(),
    };
    let mut steps = vec![step(
        format!("the {command_type} command"),
        streams::command_stream(account_id).to_string(),
        command.request_position,
    )];
    // A deposit or a withdrawal is reserved first, in a stream of its own
    // named by the transaction (the form's id): that is what makes it
    // happen once.
    if matches!(command.kind, CommandKind::Deposit | CommandKind::Withdraw) {
        steps.push(step(
            "its reservation".to_string(),
            streams::transaction_stream(account_id, message_id).to_string(),
            None,
        ));
    }
    let answer = command.outcome.and_then(|outcome| {
        answers
            .iter()
            .find(|(answered, _)| *answered == outcome)
            .map(|(_, event_type)| *event_type)
    });
    if let Some(event_type) = answer {
        steps.push(step(
            format!("the {event_type} event"),
            streams::account_stream(account_id).to_string(),
            command.processed_position,
        ));
    }
    steps
}
