//! Two paths the random clients would reach only by luck, walked on
//! purpose before the chaos starts: a transfer to a closed account
//! (reversed), and a transfer whose refund meets its source closed too
//! (the money held, then released by an operator through the web UI).

use std::time::Duration;

use account_component::Money;
use account_component::streams as account_streams;
use funds_transfer_component::streams as transfer_streams;
use messaging::{ConsumerGroup, MessageStore, StreamName};
use uuid::Uuid;
use views::Views;

use crate::clients::{self, Channel, World};
use crate::ledger::Op;
use crate::under_test::ChaosBank;

/// Waits until `stream` holds a message of type `message_type`.
pub async fn until(store: &MessageStore, stream: &StreamName, message_type: &str) {
    for _ in 0..3000 {
        if let Ok(messages) = store.read_stream(stream, 0, 1000).await
            && messages.iter().any(|m| m.message_type == message_type)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{stream} never got a {message_type}");
}

/// Opens an account through the store and waits for it.
async fn opened(world: &World, account: Uuid) {
    clients::open_as(world, account).await;
    until(
        &world.store,
        &account_streams::account_stream(account),
        "Opened",
    )
    .await;
}

/// A transfer to an account closed meanwhile: refunded, and reversed.
pub async fn reversal(world: &World) {
    let (source, closed) = (Uuid::new_v4(), Uuid::new_v4());
    opened(world, source).await;
    opened(world, closed).await;
    clients::deposit(world, Channel::Store, source, Money::from_cents(500), false).await;
    clients::close(world, closed).await;
    until(
        &world.store,
        &account_streams::account_stream(closed),
        "Closed",
    )
    .await;
    let id = clients::transfer(
        world,
        Channel::Store,
        source,
        closed,
        Money::from_cents(500),
        false,
    )
    .await;
    until(
        &world.store,
        &transfer_streams::transfer_stream(id),
        "Reversed",
    )
    .await;
}

/// A transfer whose destination is closed and whose source closes while
/// the money is in flight: the refund is refused, the bank holds the money,
/// and an operator releases it through the operations page's form.
///
/// Made certain by stopping the consumer group member that handles the
/// destination until the source has closed. (Racing the close against the
/// refund instead loses nearly always: the refund is two hops of a few
/// milliseconds each.) So it needs the bank as processes, with the account
/// component a consumer group.
pub async fn held_refund(world: &World, bank: &mut ChaosBank) {
    let (source, destination) = (account_of_member(0), account_of_member(1));
    opened(world, source).await;
    opened(world, destination).await;
    clients::deposit(
        world,
        Channel::Store,
        source,
        Money::from_cents(1_000),
        false,
    )
    .await;
    clients::close(world, destination).await;
    until(
        &world.store,
        &account_streams::account_stream(destination),
        "Closed",
    )
    .await;

    let member = bank
        .processes
        .get_mut("account-component-1")
        .expect("member 1");
    member.kill().await;
    let amount = Money::from_cents(1_000);
    let id = clients::transfer(world, Channel::Store, source, destination, amount, false).await;
    until(
        &world.store,
        &account_streams::account_stream(source),
        "Withdrawn",
    )
    .await;
    clients::close(world, source).await;
    until(
        &world.store,
        &account_streams::account_stream(source),
        "Closed",
    )
    .await;
    bank.restart("account-component-1").await;
    let stream = transfer_streams::transfer_stream(id);
    until(&world.store, &stream, "RefundRejected").await;
    release(world, id, &stream).await;
}

/// An account that the consumer group member `member` (of 2) handles.
fn account_of_member(member: i64) -> Uuid {
    let group = ConsumerGroup::new(member, 2).expect("a group");
    loop {
        let id = Uuid::new_v4();
        if group.includes(&account_streams::account_stream(id)) {
            return id;
        }
    }
}

/// The operator, on the operations page, once the views show the money
/// held, pays it into a new account (double-clicking the button).
async fn release(world: &World, id: Uuid, stream: &StreamName) {
    let chosen = Uuid::new_v4();
    opened(world, chosen).await;
    let path = format!("/transfers/{id}/release");
    let ready = || async {
        let views = Views::new(&world.views);
        let open = views
            .account(chosen)
            .await
            .ok()
            .flatten()
            .is_some_and(|a| a.is_open());
        let page = crate::http::try_request(&world.web, "GET", "/operations", None).await;
        open && page.is_ok_and(|page| page.body.contains(&path))
    };
    let mut shown = false;
    for _ in 0..300 {
        if ready().await {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shown, "the operations page never offered to release {id}");
    let (release_id, account) = (Uuid::new_v4().to_string(), chosen.to_string());
    let form = [
        ("command_id", release_id.as_str()),
        ("account_id", account.as_str()),
    ];
    assert!(
        clients::post(world, &path, &form, true).await,
        "the release was taken"
    );
    world.ledger.record(Op::Release {
        transfer: id,
        account: chosen,
    });
    until(&world.store, stream, "Released").await;
}
