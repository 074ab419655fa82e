-- The index that keeps category reads fast and in order at any size.
--
-- A consumer asks for "the next 1000 messages of category C after global
-- position P", optionally only those correlated with category K. This index
-- lists messages by (category, global position, correlation category), so the
-- answer is one contiguous range of the index, read in order: no sort, and no
-- slower at 10 million messages than at 10 thousand. The correlation column is
-- third so that a correlated read filters inside the index without visiting
-- the rows it skips.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE INDEX IF NOT EXISTS messages_category
  ON message_store.messages (
    message_store.category(stream_name),
    global_position,
    message_store.category(metadata->>'correlationStreamName')
  );

COMMIT;
