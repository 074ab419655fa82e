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
--
-- All but `category` are written in SQL, each one expression: Postgres
-- pastes an SQL function's expression into the query that calls it
-- ("inlining"), where a PL/pgSQL function is a call with its own setup every
-- time. A consumer group's read runs `hash_64(cardinal_id(stream_name))` on
-- every row it scans, and inlined that read goes about twice as fast.
--
-- `category` stays PL/pgSQL on purpose. The read functions run their
-- statements with plans made once per session, without the values (see
-- 008), so Postgres cannot know whether a category is common or rare. What
-- steers it to the category index (see 006), which holds each row's category
-- ready-made, is the estimated price of calling `category` on every row
-- instead: high for a PL/pgSQL call, next to nothing for an inlined
-- expression. Inlined, Postgres chose to walk the whole table in global
-- order and test each row, which is fine at the tail and ruinous for a
-- consumer catching up on a rare category.

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
  SELECT CASE
    WHEN strpos(stream_name, '-') = 0 THEN NULL
    ELSE substring(stream_name FROM strpos(stream_name, '-') + 1)
  END::varchar;
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.cardinal_id(
  stream_name varchar
)
RETURNS varchar
AS $$
  SELECT split_part(message_store.id(stream_name), '+', 1)::varchar;
$$ LANGUAGE sql IMMUTABLE;

-- NULL counts as a category, as in Message DB (whose test is "not a `-` in
-- it"): so `get_stream_messages(NULL)` is refused as not a stream name, and
-- `get_category_messages(NULL)` returns nothing.
CREATE OR REPLACE FUNCTION message_store.is_category(
  stream_name varchar
)
RETURNS boolean
AS $$
  SELECT coalesce(strpos(stream_name, '-') = 0, true);
$$ LANGUAGE sql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.hash_64(
  value varchar
)
RETURNS bigint
AS $$
  SELECT ('x' || left(md5(value), 16))::bit(64)::bigint;
$$ LANGUAGE sql IMMUTABLE;

COMMIT;
