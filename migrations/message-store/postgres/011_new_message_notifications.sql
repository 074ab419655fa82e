-- Waking consumers up when a message arrives (an addition to Message DB).
--
-- Consumers poll: read a batch, and when it is empty sleep a little and read
-- again. Polling alone is always correct, but a command then waits up to one
-- poll interval before anyone looks at it. A notification on the channel
-- `message_store`, with the message's category as payload, lets a consumer
-- that LISTENs wake up at once instead.
--
-- Notifying from the writing transaction has a price. Postgres keeps its
-- notification queue in commit order by letting only one notifying
-- transaction commit at a time: a lock taken before the commit and released
-- after it, *including the wait for the WAL to reach the disk*. So every
-- notifying write in the database, whatever its category, commits in single
-- file, and concurrent writers lose the group commit that would otherwise
-- share one disk flush between them. With this trigger notifying every SQL
-- write, four SQL clients writing beside each other ran at 0.79 of Message
-- DB's rate (the ladder's MDB rung), which has no notifications at all.
--
-- So the bank's Rust writer notifies after its commit instead, in a
-- transaction of its own that writes nothing (such a transaction has nothing
-- to flush, so it holds the lock for microseconds; see
-- messaging-layers/src/notifier.rs). And this trigger notifies only
-- for a session that asks for it, with `SET message_store.notify_in_trigger
-- = on`, accepting single-file commits for instant wake-ups. Any other SQL
-- writer (psql, a Message DB client in another language) writes as fast as
-- it would on Message DB, and its messages are found by the next poll.
--
-- Notifications are delivered when the writing transaction commits, so a
-- consumer never wakes up for a message it cannot see yet; Postgres folds
-- identical notifications of one transaction into one. A lost notification
-- costs latency, never correctness: the poll still finds the message.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.notify_new_message()
RETURNS trigger
AS $$
BEGIN
  PERFORM pg_notify('message_store', message_store.category(NEW.stream_name));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The setting is tested in the trigger's WHEN clause rather than inside the
-- function: Postgres evaluates WHEN itself as it inserts the row, and when it
-- is false the function is never called and nothing is queued for the end of
-- the statement. A session that did not ask pays next to nothing.
CREATE OR REPLACE TRIGGER messages_notify
  AFTER INSERT ON message_store.messages
  FOR EACH ROW
  WHEN (current_setting('message_store.notify_in_trigger', true) = 'on')
  EXECUTE FUNCTION message_store.notify_new_message();

COMMIT;
