//! What must hold once the bank is at rest: three records agree.
//!
//! - The auditor finds nothing wrong in the store and the views.
//! - Every command the clients know they sent has its outcome in the views
//!   (one without was lost on the way).
//! - Every balance, in the account streams and in the views, is what the
//!   clients' ledger implies from the outcomes the bank reported.

use account_component::streams as account_streams;
use account_component::{Account, Money};
use bank::audit::{Expect, Report, audit};
use messaging::EntityStore;
use views::Views;

use crate::ledger::{Ledger, Tally};
use crate::setup::Parts;

/// Checks them; returns what the clients did and what became of it.
pub async fn at_rest(parts: &Parts, ledger: &Ledger) -> Result<Tally, String> {
    let report = audit(&parts.store, Some(&parts.views), Expect::Quiescent)
        .await
        .map_err(|error| error.to_string())?;
    if report.violations() > 0 {
        return Err(describe(&report));
    }
    let views = Views::new(&parts.views);
    if let Some(op) = ledger
        .first_unanswered(&views, &parts.store)
        .await
        .map_err(|error| error.to_string())?
    {
        return Err(format!(
            "at rest, no outcome for {op:?}: the command was lost"
        ));
    }
    let (expected, tally) = ledger
        .expected(&views, &parts.store)
        .await
        .map_err(|error| error.to_string())?;
    // A fresh entity store: no cache of any consumer's can hide anything.
    let accounts = EntityStore::<Account>::new(parts.store.clone(), account_streams::CATEGORY);
    for (account, cents) in expected {
        let expected = Money::from_cents(cents);
        let (entity, _) = accounts
            .fetch(account)
            .await
            .map_err(|error| error.to_string())?;
        if entity.balance != expected {
            return Err(format!(
                "account {account}: the clients' ledger says {expected}, its stream {}",
                entity.balance
            ));
        }
        let shown = views
            .account(account)
            .await
            .map_err(|error| error.to_string())?
            .map(|row| row.balance);
        if shown != Some(expected) {
            return Err(format!(
                "account {account}: the clients' ledger says {expected}, the views {shown:?}"
            ));
        }
    }
    Ok(tally)
}

/// The violations of a report, in one line each.
pub fn describe(report: &Report) -> String {
    report
        .invariants
        .iter()
        .filter(|invariant| !invariant.violations.is_empty())
        .map(|invariant| {
            format!(
                "{}: {}",
                invariant.name,
                invariant
                    .violations
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
