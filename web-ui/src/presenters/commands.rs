//! What a page says about commands: the one a form just sent, and those
//! still pending.

use views::commands::{Command, CommandKind, Outcome};

use super::trail::trail;
use crate::format;
use crate::pages::{Notice, PendingRow};

/// What a page reports on, after a form: the command it sent (by the form's
/// id), as the views show it now, and whether the form had been sent
/// before.
#[derive(Debug, Default)]
pub struct Report {
    /// Whether the page was reached from a form (`?command=...`).
    pub after_a_form: bool,
    /// The form had been sent before (`&duplicate=1`).
    pub duplicate: bool,
    /// The command, once the views have seen it.
    pub sent: Option<Command>,
}

/// The notices at the top of a page that reports on a command.
pub fn notices(report: &Report) -> Vec<Notice> {
    let mut notices = Vec::new();
    if report.duplicate {
        notices.push(Notice::info(
            "This form had already been sent. The bank received it once, and it takes effect once.",
        ));
    }
    if report.after_a_form {
        notices.push(match &report.sent {
            Some(command) if command.is_processed() => outcome(command).with_trail(trail(command)),
            Some(command) => waiting().with_trail(trail(command)),
            None => waiting(),
        });
    }
    notices
}

fn waiting() -> Notice {
    Notice::info("Received. Waiting for the account component to process it…")
}

/// A command's answer, in a sentence.
pub fn outcome(command: &Command) -> Notice {
    let amount = amount_of(command);
    match command.outcome {
        Some(Outcome::Rejected) => {
            let what = match command.kind {
                CommandKind::Deposit => format!("The deposit of {amount}"),
                CommandKind::Withdraw => format!("The withdrawal of {amount}"),
                CommandKind::Close => "Closing the account".to_string(),
                CommandKind::Transfer => format!("The transfer of {amount}"),
                CommandKind::Open => "Opening the account".to_string(),
                CommandKind::Release => format!("Releasing the {amount} held"),
            };
            let reason = command.reason.as_deref().unwrap_or("no reason given");
            Notice::warning(format!("{what} was refused: {reason}."))
        }
        Some(Outcome::Deposited) => Notice::success(format!("Deposited {amount}.")),
        Some(Outcome::Withdrawn) => Notice::success(format!("Withdrew {amount}.")),
        Some(Outcome::Opened) => Notice::success("The account is open."),
        Some(Outcome::Closed) => Notice::success("The account is closed."),
        Some(Outcome::Initiated) => Notice::success(format!("The transfer of {amount} started.")),
        Some(Outcome::Released) => Notice::success(format!("Released the {amount} held.")),
        None => Notice::info("Received. Waiting for the account component to process it…"),
    }
}

/// Commands sent and not answered yet, as a list shows them.
pub fn pending_rows(pending: &[Command]) -> Vec<PendingRow> {
    pending
        .iter()
        .map(|command| PendingRow {
            description: describe(command),
            requested: command.requested_time.map(format::time).unwrap_or_default(),
        })
        .collect()
}

/// A command, in a few words.
fn describe(command: &Command) -> String {
    let amount = amount_of(command);
    match command.kind {
        CommandKind::Deposit => format!("Deposit of {amount}"),
        CommandKind::Withdraw => format!("Withdrawal of {amount}"),
        CommandKind::Transfer => format!("Transfer of {amount}"),
        CommandKind::Open => "Opening".to_string(),
        CommandKind::Close => "Closing the account".to_string(),
        CommandKind::Release => "Release of money held".to_string(),
    }
}

fn amount_of(command: &Command) -> String {
    command.amount.map(format::money).unwrap_or_default()
}
