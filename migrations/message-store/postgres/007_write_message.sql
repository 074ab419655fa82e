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
  _id uuid;
BEGIN
  -- First the category lock (see 005): from here to the end of the
  -- transaction no one else writes to this category, so the version we read
  -- next cannot change under us and our global position becomes visible
  -- before any later one in the category.
  --
  -- This is what `acquire_lock` and `stream_version` do, written out here
  -- rather than called: each call from PL/pgSQL is a statement of its own,
  -- and `split_part` is `category` without a function call. That saves a
  -- few per cent of the function's own time (60,000 writes in one
  -- transaction); read the named functions to see each step on its own.
  PERFORM pg_advisory_xact_lock(
    message_store.hash_64(split_part(write_message.stream_name, '-', 1))
  );

  SELECT coalesce(max(m.position), -1)
  INTO _stream_version
  FROM message_store.messages m
  WHERE m.stream_name = write_message.stream_name;

  IF write_message.expected_version IS NOT NULL
     AND write_message.expected_version <> _stream_version THEN
    RAISE EXCEPTION
      'Wrong expected version: % (Stream: %, Stream Version: %)',
      write_message.expected_version,
      write_message.stream_name,
      _stream_version;
  END IF;

  _position := _stream_version + 1;

  -- The id is read as a UUID before the INSERT, as Message DB does: an id
  -- that is not one is refused before the row takes a global position from
  -- the sequence, so a refused write leaves no gap in the positions.
  _id := write_message.id::uuid;

  INSERT INTO message_store.messages (id, stream_name, position, type, data, metadata)
  VALUES (
    _id,
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

-- Writing several messages in one statement: an extension of this store, not
-- part of Message DB's interface (any Message DB client still works without
-- it).
--
-- A writer that has several messages to append at once (two events of one
-- command, or the writes that group commit gathers for one category, see
-- `messaging/src/store/group_commit.rs`) could open a transaction, call
-- `write_message` for each and commit: one round trip to the server for
-- BEGIN, one per message, one for COMMIT. This function takes the messages
-- as arrays, one element per message, and calls `write_message` for each in
-- array order, in a single statement. A statement outside an explicit
-- transaction is a transaction of its own, so the messages are written all
-- together or, if any one of them fails (a wrong expected version, an id
-- written before), not at all; and the writer pays one round trip.
--
-- Every message must be in the same category. `write_message` takes its
-- category's lock, and a statement that took two categories' locks could
-- deadlock against another that took them in the other order; one category
-- per call keeps the rule "a write holds one lock".
--
-- Returns each message's position in its stream, in the same order.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.write_messages(
  ids varchar[],
  stream_names varchar[],
  types varchar[],
  data jsonb[],
  metadata jsonb[],
  expected_versions bigint[]
)
RETURNS bigint[]
AS $$
DECLARE
  _count integer := coalesce(cardinality(write_messages.ids), 0);
  _category varchar;
  _positions bigint[] := '{}';
BEGIN
  -- A missing element would silently become NULL (an append "regardless"
  -- where a version was meant), so the arrays must match exactly.
  IF coalesce(cardinality(write_messages.stream_names), 0) <> _count
     OR coalesce(cardinality(write_messages.types), 0) <> _count
     OR coalesce(cardinality(write_messages.data), 0) <> _count
     OR coalesce(cardinality(write_messages.metadata), 0) <> _count
     OR coalesce(cardinality(write_messages.expected_versions), 0) <> _count THEN
    RAISE EXCEPTION 'Arrays must have one element per message: % ids, % stream names, % types, % data, % metadata, % expected versions',
      _count,
      coalesce(cardinality(write_messages.stream_names), 0),
      coalesce(cardinality(write_messages.types), 0),
      coalesce(cardinality(write_messages.data), 0),
      coalesce(cardinality(write_messages.metadata), 0),
      coalesce(cardinality(write_messages.expected_versions), 0);
  END IF;

  _category := message_store.category(write_messages.stream_names[1]);
  FOR _n IN 1 .. _count LOOP
    IF message_store.category(write_messages.stream_names[_n]) IS DISTINCT FROM _category THEN
      RAISE EXCEPTION 'Must be one category: % (Stream: %)',
        _category,
        write_messages.stream_names[_n];
    END IF;

    _positions := _positions || message_store.write_message(
      write_messages.ids[_n],
      write_messages.stream_names[_n],
      write_messages.types[_n],
      write_messages.data[_n],
      write_messages.metadata[_n],
      write_messages.expected_versions[_n]
    );
  END LOOP;

  RETURN _positions;
END;
$$ LANGUAGE plpgsql VOLATILE;

COMMIT;
