-- The per-category write lock, and why a category reader depends on it.
--
-- A consumer reads a category by global position: "give me the messages of
-- `account` from global position 100 on", then remembers the last one it saw.
-- Global positions come from a sequence, and a sequence hands out numbers when
-- a transaction *inserts*, not when it *commits*. Without a lock, this can
-- happen:
--
--   writer A takes global position 100, then is slow to commit;
--   writer B takes 101 and commits;
--   a reader reads from 100, sees only 101, and moves its cursor past 100;
--   writer A commits 100, which that reader will now never see.
--
-- `acquire_lock` stops that: every writer to a category first takes an
-- advisory lock keyed by the category's hash and holds it until its
-- transaction ends. Within one category, writes then happen one at a time,
-- each commits before the next takes its position, and positions become
-- visible in order. A reader may see a gap (a rolled-back write), but never a
-- gap that fills in after it has passed.
--
-- The price is that one category's writes are serialized. Different
-- categories do not wait for each other (unless two hashes collide, which
-- only costs some concurrency).

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.acquire_lock(
  stream_name varchar
)
RETURNS bigint
AS $$
DECLARE
  _category_hash bigint;
BEGIN
  _category_hash := message_store.hash_64(message_store.category(acquire_lock.stream_name));
  PERFORM pg_advisory_xact_lock(_category_hash);
  RETURN _category_hash;
END;
$$ LANGUAGE plpgsql VOLATILE;

COMMIT;
