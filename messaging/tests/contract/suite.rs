//! The cases every configuration of every backend must pass, as tests: the
//! plain path's (`main.rs`) and the layers' (`messaging-layers`), which
//! include this file.

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

/// The cases every backend must pass, in every configuration.
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
                    a_restarted_consumer_resumes_after_its_recorded_position,
                    a_consumer_records_its_position_when_it_catches_up,
                    a_running_consumer_reads_on_after_the_last_message_it_was_handed,
                    a_message_written_while_a_batch_is_handled_is_read_without_waiting_for_a_poll,
                    a_consumer_catching_up_often_records_at_most_once_a_pause_and_again_when_quiet,
                    an_unparseable_message_is_parked_with_its_stream_and_position,
                    a_parked_message_does_not_stop_the_messages_after_it,
                    a_handler_failure_stops_the_consumer_with_an_error_naming_the_message,
                    a_concurrent_write_makes_the_consumer_handle_the_message_again,
                    a_consumer_reads_only_its_correlation_and_group,
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
