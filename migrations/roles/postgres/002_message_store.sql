-- In the message store's database: what each role may do there, enforced
-- by the database itself.
--
-- The components (members of `message_store`) read and append messages.
-- The web UI must read messages (for the inspector) and write commands; the
-- aggregator must read messages and park the events it cannot apply. Both
-- of those get *no* INSERT on `messages`: a bug or an attacker in the web
-- tier must not be able to write an event such as `Deposited` and create
-- money, nor a row with a global position of its choosing (one row at a
-- huge position would move every consumer of its category past all future
-- messages), nor skip the category lock. They write through functions that
-- accept only their kind of stream and go through `write_message`
-- (`013_restricted_writes.sql` of the message store).
--
-- Locks are for writers. `acquire_lock`, and the advisory lock functions it
-- calls, are executable by `message_store` alone: any role that could take
-- a category's lock could hold it and stall every write to that category.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275103); END $$;

-- Every function of the store is callable only by those granted it, not by
-- PUBLIC (which Postgres allows on every new function).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA message_store FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA message_store TO message_store;

-- The advisory locks of this database, likewise: the bank takes them only
-- through `acquire_lock`, as `message_store`.
DO $$
DECLARE
  _function regprocedure;
BEGIN
  FOR _function IN
    SELECT oid::regprocedure FROM pg_proc
    WHERE proname LIKE 'pg\_%advisory\_%lock%' AND proname NOT LIKE '%unlock%'
      AND pronamespace = 'pg_catalog'::regnamespace
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', _function);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO message_store', _function);
  END LOOP;
END
$$;

-- Reading, for the web UI and the aggregator: the messages and the read
-- functions (with the stream name functions they call).
DO $$
DECLARE
  _role text;
  _function text;
BEGIN
  FOREACH _role IN ARRAY ARRAY['bank_web', 'bank_aggregator'] LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA message_store TO %I', _role);
    EXECUTE format('GRANT SELECT ON message_store.messages TO %I', _role);
    -- What an earlier version of this file granted, taken back.
    EXECUTE format('REVOKE INSERT ON message_store.messages FROM %I', _role);
    EXECUTE format('REVOKE ALL ON SEQUENCE message_store.messages_global_position_seq FROM %I', _role);
    FOREACH _function IN ARRAY ARRAY[
      'message_store.category(varchar)', 'message_store.id(varchar)',
      'message_store.cardinal_id(varchar)', 'message_store.is_category(varchar)',
      'message_store.hash_64(varchar)', 'message_store.stream_version(varchar)',
      'message_store.message_store_version()',
      'message_store.get_stream_messages(varchar, bigint, bigint, varchar)',
      'message_store.get_category_messages(varchar, bigint, bigint, varchar, bigint, bigint, varchar)',
      'message_store.get_last_stream_message(varchar, varchar)'
    ] LOOP
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', _function, _role);
    END LOOP;
  END LOOP;
END
$$;

-- Writing, each its own kind of stream, through its own functions.
GRANT EXECUTE ON FUNCTION
  message_store.write_command(varchar, varchar, varchar, jsonb, jsonb, bigint),
  message_store.write_commands(varchar[], varchar[], varchar[], jsonb[], jsonb[], bigint[])
TO bank_web;
GRANT EXECUTE ON FUNCTION
  message_store.write_dead_letter(varchar, varchar, varchar, jsonb, jsonb, bigint),
  message_store.write_dead_letters(varchar[], varchar[], varchar[], jsonb[], jsonb[], bigint[])
TO bank_aggregator;

-- Row-level security, a second fence behind the privileges: every role may
-- read; only `message_store` (the components, and the functions above,
-- which run as it) may append. The table's owner is not bound by policies.
ALTER TABLE message_store.messages ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS everyone_reads ON message_store.messages;
CREATE POLICY everyone_reads ON message_store.messages
  FOR SELECT USING (true);

DROP POLICY IF EXISTS writers_append ON message_store.messages;
CREATE POLICY writers_append ON message_store.messages
  FOR INSERT TO message_store WITH CHECK (true);

DROP POLICY IF EXISTS the_web_ui_appends_commands ON message_store.messages;

COMMIT;
