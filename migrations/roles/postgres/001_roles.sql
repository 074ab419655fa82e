-- One login role per binary of the bank, each with only what it needs.
-- Apply once per cluster, as a superuser, after the message store
-- (its `message_store` role must exist).
--
--   bank_account_component          reads and appends messages
--   bank_funds_transfer_component   reads and appends messages
--   bank_aggregator                 reads messages, parks the ones it cannot
--                                   apply in dead-letter streams; owns the
--                                   view tables
--   bank_web                        reads messages (the inspector) and the
--                                   views; writes commands, nothing else
--
-- None of them can update, delete or truncate a message: the store is
-- append-only for everyone but its owner.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275103); END $$;

DO $$
DECLARE
  _role text;
BEGIN
  FOREACH _role IN ARRAY ARRAY['bank_account_component', 'bank_funds_transfer_component',
                               'bank_aggregator', 'bank_web']
  LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = _role) THEN
      EXECUTE format('CREATE ROLE %I WITH LOGIN', _role);
    END IF;
  END LOOP;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The components get what Message DB's own role has: SELECT and INSERT on
-- messages, the functions, nothing more. The aggregator does not: it only
-- ever writes dead letters, which `002_message_store.sql` lets it do.
GRANT message_store TO bank_account_component, bank_funds_transfer_component;
-- Taken back from an aggregator set up before that was so (asked only then,
-- so that a fresh install logs no warning about a membership it never had).
DO $$
BEGIN
  IF pg_has_role('bank_aggregator', 'message_store', 'MEMBER') THEN
    REVOKE message_store FROM bank_aggregator;
  END IF;
END
$$;

COMMIT;
