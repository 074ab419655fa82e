-- The role and schema that hold the message store.
--
-- Every file in this folder can be applied any number of times, in name
-- order, with `psql -f`, and the bank's binaries apply the same files from
-- Rust at start-up. So each file is one transaction that first takes an
-- advisory lock: two installers running at once (two containers starting
-- together, say) queue up behind each other instead of racing on the catalog.
-- (`SET LOCAL client_min_messages` keeps psql quiet about the objects that
-- already exist.) Every statement is harmless the second time: IF NOT EXISTS,
-- CREATE OR REPLACE, or a check before the change.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

-- `message_store` is the login role that Message DB clients use. Roles belong
-- to the whole cluster, not to one database, so another database on the same
-- server may already have created it: that is not an error.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'message_store') THEN
    CREATE ROLE message_store WITH LOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE SCHEMA IF NOT EXISTS message_store;

-- A client that connects as `message_store` with no settings must be able to
-- call `write_message(...)` unqualified, as Message DB's own scripts do. The
-- role's default search path makes that work. The functions themselves name
-- every object with its schema, so they also work for roles with another path.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
    WHERE r.rolname = 'message_store' AND s.setdatabase = 0
      AND 'search_path=message_store, public' = ANY (s.setconfig)
  ) THEN
    ALTER ROLE message_store SET search_path TO message_store, public;
  END IF;
END
$$;

COMMIT;
