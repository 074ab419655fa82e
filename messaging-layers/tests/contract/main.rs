//! The core's contract suite (`messaging/tests/contract/`), run on the
//! layered path: the Postgres store with group commit, notifications after
//! the commit and pings only for idle connections, and consumers with lanes
//! and wake-ups. The cases are the core's own files, included as they are;
//! only `configuration.rs` is this crate's. Then the layers' own cases:
//! what each layer promises beyond the plain path (`layers.rs`).

#[path = "../../../messaging/tests/contract/category_reads.rs"]
mod category_reads;
mod configuration;
#[path = "../../../messaging/tests/contract/consumers.rs"]
mod consumers;
#[path = "../../../messaging/tests/contract/entity_store.rs"]
mod entity_store;
mod layers;
#[path = "../../../messaging/tests/contract/reading.rs"]
mod reading;
#[path = "../../../messaging/tests/contract/support.rs"]
mod support;
#[path = "../../../messaging/tests/contract/writing.rs"]
mod writing;
#[path = "../../../messaging/tests/contract/suite.rs"]
#[macro_use]
mod suite;

every_backend!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite,
    memory: crate::support::Kind::Memory
);

transactional_backends!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite
);

/// What the layers promise beyond the plain path, on every backend.
macro_rules! layer_cases {
    ($($backend:ident: $kind:expr),*) => {
        mod layered {
            $(
                contract!($backend: $kind => {
                    layers: [
                        a_paused_consumer_handles_nothing_until_it_is_resumed,
                        a_paused_consumer_stops_when_shut_down,
                        lanes_handle_entities_side_by_side_each_in_its_order,
                        a_failed_lane_records_only_up_to_the_first_message_not_handled,
                        a_consumer_is_woken_by_a_new_message_long_before_its_next_poll,
                        after_a_full_batch_a_consumer_with_wake_ups_reads_again_at_once,
                        a_burst_of_messages_leaves_a_single_wake_up_and_other_categories_none,
                        a_consumer_reports_what_it_handled_its_lag_and_what_it_parked,
                    ],
                });
            )*
        }
    };
}

layer_cases!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite,
    memory: crate::support::Kind::Memory
);
