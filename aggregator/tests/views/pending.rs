//! Commands requested and answered: the pending list, and one row per
//! command whichever category is read first.

use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Open};
use account_component::messages::events::Deposited;
use aggregator::updates::Source;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};
use funds_transfer_component::messages::events::{Initiated, ReleaseRequested, Released};
use messaging::{CategoryRead, ExpectedVersion, NewMessage, Time};
use uuid::Uuid;
use views::commands::{CommandKind, Outcome};

use crate::support::*;

async fn the_pending_list_empties_once_the_commands_are_processed(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let (account_id, another_account_id) = (Uuid::new_v4(), Uuid::new_v4());
    // A name with quotes, a backslash and accents: the account page reads
    // it through JSON, which must give it back unchanged.
    let tricky_name = "Zoë \"Pending\" O'Brien \\ 名前";
    for (id, holder_name) in [(account_id, tricky_name), (another_account_id, "Another")] {
        let open = Open {
            account_id: id,
            customer_id: Uuid::new_v4(),
            holder_name: holder_name.into(),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(&bank.store)
            .await
            .expect("sent");
    }
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(500),
        time: Time::now(),
        reference: None,
    };
    let deposit_message = AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&bank.store)
        .await
        .expect("sent");

    // The account component is down: the commands wait, visibly pending,
    // each on its own account's list and all of them on the bank's.
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let kinds_pending = |account_id: Option<Uuid>| {
        let read = bank.read();
        async move {
            read.pending_commands(account_id)
                .await
                .expect("read")
                .into_iter()
                .map(|command| command.kind)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        kinds_pending(Some(account_id)).await,
        [CommandKind::Open, CommandKind::Deposit]
    );
    let page = bank
        .read()
        .account_page(account_id, WHOLE_STATEMENT)
        .await
        .expect("read");
    assert_eq!(page.account, None, "not opened yet");
    assert_eq!(
        page.pending,
        bank.read()
            .pending_commands(Some(account_id))
            .await
            .expect("read")
    );
    assert_eq!(
        kinds_pending(Some(another_account_id)).await,
        [CommandKind::Open]
    );
    assert_eq!(
        kinds_pending(None).await,
        [CommandKind::Open, CommandKind::Open, CommandKind::Deposit]
    );
    assert!(
        !bank
            .read()
            .sent_command(deposit_message)
            .await
            .expect("read")
            .expect("seen")
            .is_processed()
    );

    let components = Components::start(&bank.store);
    let mut emptied = false;
    for _ in 0..500 {
        aggregator::catch_up(&bank.store, &bank.views, 500)
            .await
            .expect("caught up");
        if bank
            .read()
            .pending_commands(None)
            .await
            .expect("read")
            .is_empty()
        {
            emptied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    components.stop().await;
    assert!(emptied, "the commands stayed pending");
    let answered = bank
        .read()
        .sent_command(deposit_message)
        .await
        .expect("read")
        .expect("seen");
    assert_eq!(answered.outcome, Some(Outcome::Deposited));
    assert_eq!(answered.amount, Some(deposit.amount));
    let page = bank
        .read()
        .account_page(account_id, WHOLE_STATEMENT)
        .await
        .expect("read");
    let account = page.account.expect("opened");
    assert_eq!(account.holder_name.as_deref(), Some(tricky_name));
    assert_eq!(account.balance, Money::from_cents(500));
    assert!(page.pending.is_empty());
}

/// A release and the deposit that pays it out carry the same id (the
/// release's), which is what makes the payment idempotent. They are two
/// commands all the same, a `ReleaseHeldRefund` and a `Deposit`, and so two
/// rows, whichever category the aggregator happens to read first.
async fn a_release_and_its_deposit_are_two_rows_whichever_is_read_first(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let (transfer_id, account_id, release_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let transfer_stream = funds_transfer_component::streams::transfer_stream(transfer_id);
    let (time, amount) = (Time::now(), Money::from_cents(1_000));
    let release = ReleaseHeldRefund {
        funds_transfer_id: transfer_id,
        release_id,
        account_id,
        time,
    };
    let deposit = Deposit {
        deposit_id: release_id,
        account_id,
        amount,
        time,
        reference: None,
    };
    let deposited = Deposited::answering(&deposit, 1, time);
    // The transfer whose money is held: it has to have started for the
    // views to follow its later steps.
    let transfer = Transfer {
        funds_transfer_id: transfer_id,
        withdrawal_account_id: Uuid::new_v4(),
        deposit_account_id: Uuid::new_v4(),
        amount,
        time,
        reference: None,
    };
    let initiated = Initiated::answering(&transfer, time);
    let deposit_message = NewMessage::new(&deposit)
        .expect("encodes")
        .correlated_with(&transfer_stream);
    let messages = [
        (
            transfer_stream.clone(),
            NewMessage::new(&initiated).expect("encodes"),
        ),
        (
            funds_transfer_component::streams::command_stream(transfer_id),
            NewMessage::new(&release)
                .expect("encodes")
                .with_id(release_id),
        ),
        (
            transfer_stream.clone(),
            NewMessage::new(&ReleaseRequested::answering(&release, amount, time)).expect("encodes"),
        ),
        (
            account_component::streams::command_stream(account_id),
            deposit_message.clone(),
        ),
        (
            account_component::streams::account_stream(account_id),
            NewMessage::new(&deposited)
                .expect("encodes")
                .correlated_with(&transfer_stream),
        ),
        (
            transfer_stream.clone(),
            NewMessage::new(&Released::answering(&deposited, transfer_id, time)).expect("encodes"),
        ),
    ];
    for (stream, message) in &messages {
        bank.store
            .write_message(stream, message, ExpectedVersion::Any)
            .await
            .expect("written");
    }

    // In the order the aggregator reads the categories, then in reverse.
    aggregator::catch_up(&bank.store, &bank.views, 100)
        .await
        .expect("caught up");
    let (reversed, _file) = bank.other_views().await;
    for source in Source::ALL.into_iter().rev() {
        let read = CategoryRead::new(source.category());
        let batch = bank.store.read_category(&read).await.expect("read");
        aggregator::batch::apply(&bank.store, &reversed, source, &batch)
            .await
            .expect("applied");
    }
    let in_order = snapshot(&bank.views).await;
    assert_eq!(snapshot(&reversed).await["commands"], in_order["commands"]);

    let read = bank.read();
    let row = read.sent_command(release_id).await.expect("read");
    let row = row.expect("the release has a row");
    assert_eq!(
        (row.kind, row.outcome),
        (CommandKind::Release, Some(Outcome::Released))
    );
    let row = read.sent_command(deposit_message.id).await.expect("read");
    let row = row.expect("the deposit has a row");
    assert_eq!(
        (row.kind, row.outcome),
        (CommandKind::Deposit, Some(Outcome::Deposited))
    );
}

crate::support::on_both!(
    the_pending_list_empties_once_the_commands_are_processed,
    a_release_and_its_deposit_are_two_rows_whichever_is_read_first
);
