-- In the message store's database: what the web UI may do there, enforced
-- by the database itself.
--
-- The UI must read messages (for the inspector) and write commands, and
-- nothing else: a bug or an attacker in the web tier must not be able to
-- write an event such as `Deposited` and create money. Privileges cannot
-- tell one row from another, so row-level security does: every role may
-- read; `message_store` (and its members, the components) may append any
-- message; `bank_web` may append only to command streams
-- (`account:command-...`, `fundsTransfer:command-...`). The table's owner is
-- not bound by these policies.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275103); END $$;

GRANT USAGE ON SCHEMA message_store TO bank_web;
GRANT SELECT, INSERT ON message_store.messages TO bank_web;
GRANT USAGE, SELECT ON SEQUENCE message_store.messages_global_position_seq TO bank_web;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA message_store TO bank_web;

ALTER TABLE message_store.messages ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS everyone_reads ON message_store.messages;
CREATE POLICY everyone_reads ON message_store.messages
  FOR SELECT USING (true);

DROP POLICY IF EXISTS writers_append ON message_store.messages;
CREATE POLICY writers_append ON message_store.messages
  FOR INSERT TO message_store WITH CHECK (true);

DROP POLICY IF EXISTS the_web_ui_appends_commands ON message_store.messages;
CREATE POLICY the_web_ui_appends_commands ON message_store.messages
  FOR INSERT TO bank_web
  WITH CHECK (message_store.category(stream_name) LIKE '%:command');

COMMIT;
