-- Writing only commands, or only dead letters: for roles that may append
-- nothing else. An extension of this store, like `write_messages`; Message
-- DB clients need not know these functions exist.
--
-- The web UI writes commands and nothing else; the aggregator writes only
-- the events it cannot apply, to dead-letter streams. If their roles could
-- INSERT into `messages`, a bug or an attacker in either could write an
-- event (a `Deposited` that creates money), choose its own global position
-- (and move every consumer of a category past all future messages), or
-- write without the category lock. So those roles get no INSERT at all
-- (`migrations/roles/postgres/002_message_store.sql`) and write through
-- these functions instead. Each refuses a stream of another kind, then calls
-- `write_message` or `write_messages`, so every write still takes the
-- category lock, checks its expected version and takes its global position
-- from the sequence.
--
-- They run with the rights of their owner, the `message_store` role
-- (SECURITY DEFINER), and with a fixed search path, so that a caller cannot
-- slip in functions or tables of its own. Only roles granted EXECUTE may
-- call them: nobody, until the roles migration says otherwise.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

-- Refuses a stream whose category does not end in `kind`.
CREATE OR REPLACE FUNCTION message_store.require_category_kind(
  stream_name varchar,
  kind varchar
)
RETURNS void
AS $$
BEGIN
  IF (message_store.category(require_category_kind.stream_name)
      LIKE '%' || require_category_kind.kind) IS NOT TRUE THEN
    RAISE EXCEPTION 'Only % streams may be written here (Stream: %)',
      require_category_kind.kind,
      coalesce(require_category_kind.stream_name, '<NULL>');
  END IF;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.write_command(
  id varchar,
  stream_name varchar,
  "type" varchar,
  data jsonb,
  metadata jsonb DEFAULT NULL,
  expected_version bigint DEFAULT NULL
)
RETURNS bigint
AS $$
BEGIN
  PERFORM message_store.require_category_kind(write_command.stream_name, ':command');
  RETURN message_store.write_message(
    write_command.id, write_command.stream_name, write_command."type",
    write_command.data, write_command.metadata, write_command.expected_version);
END;
$$ LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = message_store, pg_temp;

CREATE OR REPLACE FUNCTION message_store.write_commands(
  ids varchar[],
  stream_names varchar[],
  types varchar[],
  data jsonb[],
  metadata jsonb[],
  expected_versions bigint[]
)
RETURNS bigint[]
AS $$
BEGIN
  FOR _n IN 1 .. coalesce(cardinality(write_commands.stream_names), 0) LOOP
    PERFORM message_store.require_category_kind(write_commands.stream_names[_n], ':command');
  END LOOP;
  RETURN message_store.write_messages(
    write_commands.ids, write_commands.stream_names, write_commands.types,
    write_commands.data, write_commands.metadata, write_commands.expected_versions);
END;
$$ LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = message_store, pg_temp;

CREATE OR REPLACE FUNCTION message_store.write_dead_letter(
  id varchar,
  stream_name varchar,
  "type" varchar,
  data jsonb,
  metadata jsonb DEFAULT NULL,
  expected_version bigint DEFAULT NULL
)
RETURNS bigint
AS $$
BEGIN
  PERFORM message_store.require_category_kind(write_dead_letter.stream_name, '+deadLetter');
  RETURN message_store.write_message(
    write_dead_letter.id, write_dead_letter.stream_name, write_dead_letter."type",
    write_dead_letter.data, write_dead_letter.metadata, write_dead_letter.expected_version);
END;
$$ LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = message_store, pg_temp;

CREATE OR REPLACE FUNCTION message_store.write_dead_letters(
  ids varchar[],
  stream_names varchar[],
  types varchar[],
  data jsonb[],
  metadata jsonb[],
  expected_versions bigint[]
)
RETURNS bigint[]
AS $$
BEGIN
  FOR _n IN 1 .. coalesce(cardinality(write_dead_letters.stream_names), 0) LOOP
    PERFORM message_store.require_category_kind(write_dead_letters.stream_names[_n], '+deadLetter');
  END LOOP;
  RETURN message_store.write_messages(
    write_dead_letters.ids, write_dead_letters.stream_names, write_dead_letters.types,
    write_dead_letters.data, write_dead_letters.metadata, write_dead_letters.expected_versions);
END;
$$ LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = message_store, pg_temp;

-- Owned by the store's role, callable by it and by whom the roles
-- migration grants; never by PUBLIC, which every new function allows.
DO $$
DECLARE
  _function text;
BEGIN
  FOREACH _function IN ARRAY ARRAY[
    'message_store.write_command(varchar, varchar, varchar, jsonb, jsonb, bigint)',
    'message_store.write_commands(varchar[], varchar[], varchar[], jsonb[], jsonb[], bigint[])',
    'message_store.write_dead_letter(varchar, varchar, varchar, jsonb, jsonb, bigint)',
    'message_store.write_dead_letters(varchar[], varchar[], varchar[], jsonb[], jsonb[], bigint[])'
  ]
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO message_store', _function);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', _function);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO message_store', _function);
  END LOOP;
END
$$;

COMMIT;
