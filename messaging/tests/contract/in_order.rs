//! What the plain path promises beyond the layers: one message after
//! another, in the category's order, whichever entity it is about. (With
//! lanes, only each entity's own order holds: `messaging-layers`.)

use crate::consumers::{Recorder, settings, start, write_amounts};
use crate::support::{Fixture, eventually};

pub async fn a_consumer_hands_every_message_to_its_handler_in_order(fixture: Fixture) {
    write_amounts(&fixture.store, "thing-1", &[1, 2]).await;
    write_amounts(&fixture.store, "thing-2", &[3]).await;
    write_amounts(&fixture.store, "thing-1", &[4]).await;
    let recorder = Recorder::default();
    let running = start(&fixture.store, settings(), recorder.clone());
    assert!(eventually(|| async { recorder.amounts().len() == 4 }).await);
    running.stop().await.expect("stops cleanly");
    assert_eq!(recorder.amounts(), vec![1, 2, 3, 4]);
}
