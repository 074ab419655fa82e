//! Statements against the components' own entities.

use account_component::Money;
use views::statement::Entry;

use crate::support::*;

async fn each_statement_ends_at_the_balance_of_the_view_and_of_the_entity(backend: Backend) {
    let Some((bank, accounts, _)) = busy_bank(backend).await else {
        return;
    };
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let entities = account_component::store::build(bank.store.clone());
    let read = bank.read();
    let mut total = 0;
    for account_id in accounts {
        let view = read
            .account(account_id)
            .await
            .expect("read")
            .expect("in the views");
        let statement = read.statement(account_id, None).await.expect("read");
        let (entity, _) = entities.fetch(account_id).await.expect("fetched");
        assert_eq!(
            statement.last().expect("has lines").balance_after,
            view.balance
        );
        assert_eq!(view.balance, entity.balance);
        // Every line's balance follows from the one before.
        let mut running = Money::ZERO;
        for line in &statement {
            running = match line.entry {
                Entry::Deposit => running.checked_add(line.amount).expect("small"),
                Entry::Withdrawal => running.checked_sub(line.amount).expect("small"),
                _ => running,
            };
            assert_eq!(line.balance_after, running, "{line:?}");
        }
        total += view.balance.cents();
    }
    // Five deposits of 100.00 and one withdrawal of 25.00 came from outside;
    // transfers only move money between the accounts.
    assert_eq!(total, 5 * 10_000 - 2_500, "the views conserve money");
}

crate::support::on_both!(each_statement_ends_at_the_balance_of_the_view_and_of_the_entity);
