-- What the `message_store` role may do: append messages and read them back.
--
-- It may SELECT and INSERT on `messages` and use the sequence behind
-- `global_position`, call the functions, and read the summary views. It is
-- never granted UPDATE, DELETE or TRUNCATE: the store is append-only, and a
-- component that could rewrite history could lose money without a trace.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

GRANT USAGE ON SCHEMA message_store TO message_store;
GRANT SELECT, INSERT ON message_store.messages TO message_store;
GRANT USAGE, SELECT ON SEQUENCE message_store.messages_global_position_seq TO message_store;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA message_store TO message_store;
GRANT SELECT ON
  message_store.stream_summary,
  message_store.type_summary,
  message_store.stream_type_summary,
  message_store.type_stream_summary,
  message_store.category_type_summary,
  message_store.type_category_summary
TO message_store;

COMMIT;
