//! The message store contract: one suite, run against every backend.
//!
//! Each case is an `async fn` taking a [`Fixture`](support::Fixture) with a
//! fresh, empty store. The `contract!` macro below turns every case into
//! three tests, `postgres::...`, `sqlite::...` and `memory::...`, so the
//! three stores are held to exactly the same promises. Cases that need a
//! real database's transactions (the category lock) run on Postgres and
//! SQLite only.

mod category_reads;
mod consumers;
mod entity_store;
mod reading;
mod support;
mod writing;

/// Declares each listed case as a test on each listed backend.
macro_rules! contract {
    ($backend:ident: $kind:expr => { $($module:ident: [$($case:ident),* $(,)?]),* $(,)? }) => {
        mod $backend {
            $(
                mod $module {
                    $(
                        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                        async fn $case() {
                            crate::support::run($kind, crate::$module::$case).await;
                        }
                    )*
                }
            )*
        }
    };
}

/// The cases every backend must pass.
macro_rules! every_backend {
    ($($backend:ident: $kind:expr),*) => {
        $(
            contract!($backend: $kind => {
                writing: [
                    a_written_message_is_read_back_as_written,
                    positions_count_from_zero_and_global_positions_increase,
                    writing_at_the_wrong_expected_version_writes_nothing,
                    the_initial_expected_version_requires_an_empty_stream,
                    several_messages_are_written_together_or_not_at_all,
                    a_message_id_is_written_only_once,
                    of_writers_racing_at_one_version_exactly_one_wins,
                    a_wrong_write_among_concurrent_writes_fails_alone,
                    writing_nothing_is_refused,
                ],
                reading: [
                    a_stream_is_read_from_a_position_in_batches,
                    reading_a_category_as_a_stream_is_refused,
                    the_last_message_of_a_stream_can_be_of_a_type,
                    the_version_of_an_empty_stream_is_none,
                ],
                category_reads: [
                    a_category_is_read_in_global_position_order,
                    a_category_read_starts_at_a_global_position_and_stops_at_the_batch_size,
                    correlation_keeps_messages_correlated_with_a_category,
                    consumer_groups_split_streams_by_cardinal_id,
                    every_stream_belongs_to_exactly_one_group_member,
                ],
                consumers: [
                    a_consumer_hands_every_message_to_its_handler_in_order,
                    a_restarted_consumer_resumes_after_its_recorded_position,
                    a_paused_consumer_handles_nothing_until_it_is_resumed,
                    a_paused_consumer_stops_when_shut_down,
                    a_consumer_records_its_position_when_it_catches_up,
                    a_consumer_catching_up_often_records_at_most_once_a_pause_and_again_when_quiet,
                    an_unparseable_message_is_parked_with_its_stream_and_position,
                    a_parked_message_does_not_stop_the_messages_after_it,
                    a_handler_failure_stops_the_consumer_with_an_error_naming_the_message,
                    a_concurrent_write_makes_the_consumer_handle_the_message_again,
                    lanes_handle_entities_side_by_side_each_in_its_order,
                    a_failed_lane_records_only_up_to_the_first_message_not_handled,
                    a_consumer_is_woken_by_a_new_message_long_before_its_next_poll,
                    a_burst_of_messages_leaves_a_single_wake_up_and_other_categories_none,
                    a_consumer_reads_only_its_correlation_and_group,
                    a_consumer_reports_what_it_handled_its_lag_and_what_it_parked,
                ],
                entity_store: [
                    an_entity_is_projected_from_its_events,
                    an_empty_stream_is_the_default_entity_at_version_minus_one,
                    a_cached_entity_catches_up_with_new_events,
                    a_snapshot_is_written_and_a_cold_store_starts_from_it,
                    an_unapplicable_event_is_reported_with_its_position,
                ],
            });
        )*
    };
}

every_backend!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite,
    memory: crate::support::Kind::Memory
);

/// The cases that need real transactions.
macro_rules! transactional_backends {
    ($($backend:ident: $kind:expr),*) => {
        mod transactional {
            $(
                contract!($backend: $kind => {
                    category_reads: [
                        a_category_reader_never_skips_a_message_that_commits_late,
                    ],
                });
            )*
        }
    };
}

transactional_backends!(
    postgres: crate::support::Kind::Postgres,
    sqlite: crate::support::Kind::Sqlite
);
