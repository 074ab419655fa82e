-- The one table of the message store: every command, event and consumer
-- position of every component, in the order it was written.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE TABLE IF NOT EXISTS message_store.messages (
  -- The message's place in the whole store. Category readers use it as their
  -- cursor. It comes from a sequence, so it can have gaps where a write was
  -- rolled back, but (thanks to the category lock, see 005) never a gap that
  -- is filled in later.
  global_position bigserial NOT NULL,
  -- The message's place in its own stream: 0, 1, 2, ... with no gaps. The
  -- stream's version is its highest position, and optimistic concurrency
  -- compares against it.
  position bigint NOT NULL,
  -- When the store received the message, in UTC. Business times (when a
  -- deposit was made) live in the message data instead.
  time timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
  -- `category-id`, for example `account-5d1f...` or `account:command-5d1f...`.
  stream_name text NOT NULL,
  -- The message type, for example `Deposited`.
  type text NOT NULL,
  -- The message's attributes and its metadata (causation, correlation), as
  -- JSON with camelCase keys.
  data jsonb,
  metadata jsonb,
  -- Every message has a unique id. A writer that sends the same id twice gets
  -- an error the second time, which the web UI uses to spot a double submit.
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  CONSTRAINT messages_pkey PRIMARY KEY (global_position)
);

-- A message id is written once, ever.
CREATE UNIQUE INDEX IF NOT EXISTS messages_id
  ON message_store.messages (id);

-- Reading a stream is "this stream, from this position, in order", and no two
-- messages may share a position in a stream: the unique index serves both.
-- It is also the last line of defence for optimistic concurrency: if two
-- writers ever computed the same next position, one insert would fail here.
CREATE UNIQUE INDEX IF NOT EXISTS messages_stream
  ON message_store.messages (stream_name, position);

COMMIT;
