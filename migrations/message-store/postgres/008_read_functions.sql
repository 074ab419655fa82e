-- Reading: one stream, one category, the last message of a stream, and a
-- stream's version.
--
-- The two batch readers are called for every message a component handles
-- (the entity's stream) and every time a consumer looks for new messages
-- (the category), so how Postgres runs them matters. A query written out in
-- a PL/pgSQL function is planned once per session and its plan reused; a
-- query built as text and run with EXECUTE is parsed and planned on every
-- call, which under load cost more of the server's CPU than the reads
-- themselves (about a tenth of all of it while transfers ran). So each
-- everyday shape of read is written out, and text is built only for an SQL
-- `condition`, the one filter that cannot be a parameter. Values always
-- travel as parameters (`USING`), never inside the text; the only text
-- pasted in is `condition`, which is why it is refused unless the session
-- has turned `message_store.sql_condition` on. The rule is Message DB's,
-- to the letter: refused while the setting was never set, or is `off`; any
-- other value lets it through, even the empty string that `RESET` leaves
-- behind once a session has set it.
--
-- Batch size: -1 means no limit (LIMIT NULL), 0 returns nothing, and any
-- other negative number is refused by Postgres itself ("LIMIT must not be
-- negative"). A NULL position or batch size takes the default.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.stream_version(
  stream_name varchar
)
RETURNS bigint
AS $$
BEGIN
  RETURN (
    SELECT max(m.position)
    FROM message_store.messages m
    WHERE m.stream_name = stream_version.stream_name
  );
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE OR REPLACE FUNCTION message_store.get_stream_messages(
  stream_name varchar,
  "position" bigint DEFAULT 0,
  batch_size bigint DEFAULT 1000,
  condition varchar DEFAULT NULL
)
RETURNS SETOF message_store.message
AS $$
DECLARE
  _position bigint := coalesce(get_stream_messages.position, 0);
  _batch_size bigint := coalesce(get_stream_messages.batch_size, 1000);
  _command text;
BEGIN
  IF message_store.is_category(get_stream_messages.stream_name) THEN
    RAISE EXCEPTION 'Must be a stream name: %', get_stream_messages.stream_name;
  END IF;

  IF _batch_size = -1 THEN
    _batch_size := NULL;
  END IF;

  IF get_stream_messages.condition IS NULL THEN
    RETURN QUERY
      SELECT m.id::varchar, m.stream_name::varchar, m.type::varchar, m.position,
             m.global_position, m.data::varchar, m.metadata::varchar, m.time
      FROM message_store.messages m
      WHERE m.stream_name = get_stream_messages.stream_name AND m.position >= _position
      ORDER BY m.position ASC
      LIMIT _batch_size;
    RETURN;
  END IF;

  IF coalesce(current_setting('message_store.sql_condition', true), 'off') = 'off' THEN
    RAISE EXCEPTION 'Retrieval with SQL condition is not activated';
  END IF;

  _command := '
    SELECT id::varchar, stream_name::varchar, type::varchar, position, global_position,
           data::varchar, metadata::varchar, time
    FROM message_store.messages
    WHERE stream_name = $1 AND position >= $2
      AND (' || get_stream_messages.condition || ')
    ORDER BY position ASC LIMIT $3';

  RETURN QUERY EXECUTE _command
    USING get_stream_messages.stream_name, _position, _batch_size;
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE OR REPLACE FUNCTION message_store.get_category_messages(
  category varchar,
  "position" bigint DEFAULT 1,
  batch_size bigint DEFAULT 1000,
  correlation varchar DEFAULT NULL,
  consumer_group_member bigint DEFAULT NULL,
  consumer_group_size bigint DEFAULT NULL,
  condition varchar DEFAULT NULL
)
RETURNS SETOF message_store.message
AS $$
DECLARE
  _position bigint := coalesce(get_category_messages.position, 1);
  _batch_size bigint := coalesce(get_category_messages.batch_size, 1000);
  _member bigint := get_category_messages.consumer_group_member;
  _size bigint := get_category_messages.consumer_group_size;
  _command text;
BEGIN
  IF NOT message_store.is_category(get_category_messages.category) THEN
    RAISE EXCEPTION 'Must be a category: %', get_category_messages.category;
  END IF;

  IF _batch_size = -1 THEN
    _batch_size := NULL;
  END IF;

  -- Correlation: keep only messages caused, directly or not, by something in
  -- another category. A funds transfer reads the `account` category with
  -- correlation `fundsTransfer` to see only the account events that answer
  -- its own commands.
  IF strpos(get_category_messages.correlation, '-') > 0 THEN
    RAISE EXCEPTION 'Correlation must be a category (Correlation: %)',
      get_category_messages.correlation;
  END IF;

  -- Consumer groups: several instances share a category, each taking the
  -- streams whose cardinal id hashes to its member number.
  IF _member IS NOT NULL OR _size IS NOT NULL THEN
    IF _member IS NULL OR _size IS NULL THEN
      RAISE EXCEPTION 'Consumer group member and size must be specified (Consumer Group Member: %, Consumer Group Size: %)',
        _member, _size;
    END IF;
    IF _size < 1 THEN
      RAISE EXCEPTION 'Consumer group size must not be less than 1 (Consumer Group Member: %, Consumer Group Size: %)',
        _member, _size;
    END IF;
    IF _member < 0 THEN
      RAISE EXCEPTION 'Consumer group member must not be less than 0 (Consumer Group Member: %, Consumer Group Size: %)',
        _member, _size;
    END IF;
    IF _member >= _size THEN
      RAISE EXCEPTION 'Consumer group member must be less than the group size (Consumer Group Member: %, Consumer Group Size: %)',
        _member, _size;
    END IF;
  END IF;

  IF get_category_messages.condition IS NOT NULL
     AND coalesce(current_setting('message_store.sql_condition', true), 'off') = 'off' THEN
    RAISE EXCEPTION 'Retrieval with SQL condition is not activated';
  END IF;

  -- Message DB hands the group size to its query as a smallint, so a size
  -- beyond 32767 fails there ("smallint out of range"); so it does here.
  IF _size IS NOT NULL THEN
    _size := _size::smallint;
  END IF;

  -- The filter that selects the category also walks the category index (see
  -- 006) in global position order. A correlation is the index's third
  -- column, so a correlated read filters inside the index; that is why it is
  -- a shape of its own, and not "correlation IS NULL OR ...", which Postgres
  -- could only check on each row of the category. The consumer group is
  -- checked on each row whichever way it is written.
  IF get_category_messages.condition IS NULL AND get_category_messages.correlation IS NULL THEN
    RETURN QUERY
      SELECT m.id::varchar, m.stream_name::varchar, m.type::varchar, m.position,
             m.global_position, m.data::varchar, m.metadata::varchar, m.time
      FROM message_store.messages m
      WHERE message_store.category(m.stream_name) = get_category_messages.category
        AND m.global_position >= _position
        AND (_member IS NULL
             OR mod(abs(message_store.hash_64(message_store.cardinal_id(m.stream_name))), _size) = _member)
      ORDER BY m.global_position ASC
      LIMIT _batch_size;
    RETURN;
  END IF;

  IF get_category_messages.condition IS NULL THEN
    RETURN QUERY
      SELECT m.id::varchar, m.stream_name::varchar, m.type::varchar, m.position,
             m.global_position, m.data::varchar, m.metadata::varchar, m.time
      FROM message_store.messages m
      WHERE message_store.category(m.stream_name) = get_category_messages.category
        AND m.global_position >= _position
        AND message_store.category(m.metadata->>'correlationStreamName') = get_category_messages.correlation
        AND (_member IS NULL
             OR mod(abs(message_store.hash_64(message_store.cardinal_id(m.stream_name))), _size) = _member)
      ORDER BY m.global_position ASC
      LIMIT _batch_size;
    RETURN;
  END IF;

  _command := '
    SELECT id::varchar, stream_name::varchar, type::varchar, position, global_position,
           data::varchar, metadata::varchar, time
    FROM message_store.messages
    WHERE message_store.category(stream_name) = $1 AND global_position >= $2
      AND ($4 IS NULL OR message_store.category(metadata->>''correlationStreamName'') = $4)
      AND ($5 IS NULL OR mod(abs(message_store.hash_64(message_store.cardinal_id(stream_name))), $6) = $5)
      AND (' || get_category_messages.condition || ')
    ORDER BY global_position ASC LIMIT $3';

  RETURN QUERY EXECUTE _command
    USING get_category_messages.category, _position, _batch_size,
          get_category_messages.correlation, _member, _size;
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE OR REPLACE FUNCTION message_store.get_last_stream_message(
  stream_name varchar,
  "type" varchar DEFAULT NULL
)
RETURNS SETOF message_store.message
AS $$
BEGIN
  -- Walks the stream index backwards from the highest position. Consumers
  -- use it to read their last recorded position, and Eventide's entity
  -- snapshots are read the same way.
  RETURN QUERY
    SELECT m.id::varchar, m.stream_name::varchar, m.type::varchar, m.position,
           m.global_position, m.data::varchar, m.metadata::varchar, m.time
    FROM message_store.messages m
    WHERE m.stream_name = get_last_stream_message.stream_name
      AND (get_last_stream_message."type" IS NULL OR m.type = get_last_stream_message."type")
    ORDER BY m.position DESC
    LIMIT 1;
END;
$$ LANGUAGE plpgsql VOLATILE;

COMMIT;
