-- The row type the read functions return. Message DB clients read exactly
-- these columns, in this order, with `data` and `metadata` as text (the jsonb
-- rendered by Postgres, not re-serialized).

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

DO $$
BEGIN
  CREATE TYPE message_store.message AS (
    id varchar,
    stream_name varchar,
    type varchar,
    position bigint,
    global_position bigint,
    data varchar,
    metadata varchar,
    time timestamp
  );
EXCEPTION
  WHEN duplicate_object THEN
    NULL;
END
$$;

COMMIT;
