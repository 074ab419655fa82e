//! Installing the message store: the SQL files of
//! `migrations/message-store/postgres`, compiled into the binary, run in
//! order. So a component can install the store it needs at start-up with
//! nothing but a database URL, and psql users run the very same files.

/// The SQL files that install the message store, in the order they must run.
/// They are compiled into the binary, so a component can install the store it
/// needs at start-up with nothing but a database URL.
pub(super) const INSTALL_SCRIPTS: [(&str, &str); 13] = [
    (
        "001_role_and_schema.sql",
        include_str!("../../../../migrations/message-store/postgres/001_role_and_schema.sql"),
    ),
    (
        "002_messages_table.sql",
        include_str!("../../../../migrations/message-store/postgres/002_messages_table.sql"),
    ),
    (
        "003_message_type.sql",
        include_str!("../../../../migrations/message-store/postgres/003_message_type.sql"),
    ),
    (
        "004_stream_name_functions.sql",
        include_str!("../../../../migrations/message-store/postgres/004_stream_name_functions.sql"),
    ),
    (
        "005_acquire_lock.sql",
        include_str!("../../../../migrations/message-store/postgres/005_acquire_lock.sql"),
    ),
    (
        "006_category_index.sql",
        include_str!("../../../../migrations/message-store/postgres/006_category_index.sql"),
    ),
    (
        "007_write_message.sql",
        include_str!("../../../../migrations/message-store/postgres/007_write_message.sql"),
    ),
    (
        "008_read_functions.sql",
        include_str!("../../../../migrations/message-store/postgres/008_read_functions.sql"),
    ),
    (
        "009_message_store_version.sql",
        include_str!("../../../../migrations/message-store/postgres/009_message_store_version.sql"),
    ),
    (
        "010_summary_views.sql",
        include_str!("../../../../migrations/message-store/postgres/010_summary_views.sql"),
    ),
    (
        "011_new_message_notifications.sql",
        include_str!(
            "../../../../migrations/message-store/postgres/011_new_message_notifications.sql"
        ),
    ),
    (
        "012_privileges.sql",
        include_str!("../../../../migrations/message-store/postgres/012_privileges.sql"),
    ),
    (
        "013_restricted_writes.sql",
        include_str!("../../../../migrations/message-store/postgres/013_restricted_writes.sql"),
    ),
];

#[cfg(test)]
mod tests {
    use super::INSTALL_SCRIPTS;

    #[test]
    fn every_migration_file_is_installed_from_rust_in_name_order() {
        let folder = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../migrations/message-store/postgres"
        );
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .expect("migrations folder")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let installed: Vec<String> = INSTALL_SCRIPTS
            .iter()
            .map(|(name, _)| (*name).to_string())
            .collect();
        assert_eq!(installed, files);
    }
}
