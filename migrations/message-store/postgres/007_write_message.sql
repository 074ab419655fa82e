-- Writing a message, with optimistic concurrency.
--
-- A component decides what to write from the events it has read, up to some
-- stream version. It passes that version as `expected_version`; if anyone
-- wrote to the stream in between, the write fails with "Wrong expected
-- version" and the component fetches again and decides again. Nothing is
-- overwritten and no decision is made on stale state. An expected version of
-- -1 means "the stream must not exist yet"; NULL means "append regardless".
--
-- Returns the new message's position in its stream.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.write_message(
  id varchar,
  stream_name varchar,
  "type" varchar,
  data jsonb,
  metadata jsonb DEFAULT NULL,
  expected_version bigint DEFAULT NULL
)
RETURNS bigint
AS $$
DECLARE
  _stream_version bigint;
  _position bigint;
BEGIN
  -- First the category lock (see 005): from here to the end of the
  -- transaction no one else writes to this category, so the version we read
  -- next cannot change under us and our global position becomes visible
  -- before any later one in the category.
  PERFORM message_store.acquire_lock(write_message.stream_name);

  _stream_version := coalesce(message_store.stream_version(write_message.stream_name), -1);

  IF write_message.expected_version IS NOT NULL
     AND write_message.expected_version <> _stream_version THEN
    RAISE EXCEPTION
      'Wrong expected version: % (Stream: %, Stream Version: %)',
      write_message.expected_version,
      write_message.stream_name,
      _stream_version;
  END IF;

  _position := _stream_version + 1;

  INSERT INTO message_store.messages (id, stream_name, position, type, data, metadata)
  VALUES (
    write_message.id::uuid,
    write_message.stream_name,
    _position,
    write_message."type",
    write_message.data,
    write_message.metadata
  );

  RETURN _position;
END;
$$ LANGUAGE plpgsql VOLATILE;

COMMIT;
