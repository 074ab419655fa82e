-- Stream names, as Message DB parses them.
--
--   account-123          category `account`, id `123`
--   account:command-123  category `account:command` (a category with a type)
--   account-123+abc      id `123+abc`, cardinal id `123`
--   account              no `-`: a category name, not a stream
--
-- The category is everything before the first `-`, the id everything after
-- it, and the cardinal id is the id up to the first `+`. Consumer groups split
-- a category between members by the cardinal id, so all streams of one
-- entity (`account-1`, `accountTransaction-1+a`, ...) go to the same member.
--
-- They are IMMUTABLE: the same input always gives the same output, which lets
-- Postgres use `category(stream_name)` in an index (see 006).

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.category(
  stream_name varchar
)
RETURNS varchar
AS $$
BEGIN
  RETURN split_part(category.stream_name, '-', 1);
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.id(
  stream_name varchar
)
RETURNS varchar
AS $$
DECLARE
  _separator integer;
BEGIN
  _separator := strpos(id.stream_name, '-');
  IF _separator = 0 THEN
    RETURN NULL;
  END IF;
  RETURN substring(id.stream_name FROM _separator + 1);
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.cardinal_id(
  stream_name varchar
)
RETURNS varchar
AS $$
DECLARE
  _id varchar;
BEGIN
  _id := message_store.id(cardinal_id.stream_name);
  IF _id IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN split_part(_id, '+', 1);
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.is_category(
  stream_name varchar
)
RETURNS boolean
AS $$
BEGIN
  RETURN strpos(is_category.stream_name, '-') = 0;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

-- A 64-bit hash: the first 8 bytes of the MD5 of the value, read as a signed
-- big-endian integer. It keys the category write lock and assigns streams to
-- consumer group members. Every Message DB client computes the same number,
-- so members written in different languages agree on who owns which stream.
-- hash_64('account') = -2132379389342958165.
CREATE OR REPLACE FUNCTION message_store.hash_64(
  value varchar
)
RETURNS bigint
AS $$
BEGIN
  RETURN ('x' || left(md5(hash_64.value), 16))::bit(64)::bigint;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

COMMIT;
