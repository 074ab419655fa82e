-- The views, in a Postgres database of their own (the default schema).
-- Applied by the aggregator at start-up and by `aggregator rebuild`; every
-- statement is idempotent. See ../README.md for why ids and times are text.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275102); END $$;

-- The shape of the views this file creates. Views are disposable, so when
-- their shape changes nothing is migrated: the old tables are dropped, here,
-- in the same transaction that creates the new ones, and the aggregator
-- rebuilds them from the message store (its positions went with them).
-- Bump the number whenever a table below changes, or what its rows mean
-- (and `views::SCHEMA_VERSION` with it; a test checks they agree).
CREATE TABLE IF NOT EXISTS views_schema (version bigint NOT NULL);
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM views_schema WHERE version = 6) THEN
    DROP TABLE IF EXISTS accounts, statement_lines, transfers, commands,
      aggregator_positions, aggregators, consumers, dead_letters;
    DELETE FROM views_schema;
    INSERT INTO views_schema (version) VALUES (6);
  END IF;
END
$$;

-- One row per account: what the account page shows at the top.
CREATE TABLE IF NOT EXISTS accounts (
  account_id text PRIMARY KEY,
  customer_id text,
  holder_name text,
  -- The sum of the account's deposits minus its withdrawals, in cents.
  balance bigint NOT NULL DEFAULT 0,
  -- 'open', 'closed', or 'unopened' (an account that only ever saw
  -- rejected transactions): `views::accounts::AccountStatus`.
  status text NOT NULL,
  opened_time text,
  closed_time text,
  -- The global position of the last event applied to this row: an event at
  -- or below it has been applied already and is skipped.
  last_position bigint NOT NULL
);

-- The home page lists accounts newest first, a page at a time, and continues
-- from the last account it showed ("keyset" paging): each page is a short
-- walk down this index from a known place, however many accounts there are.
-- (OFFSET would walk past every account before the page, each time.)
CREATE INDEX IF NOT EXISTS accounts_by_opening ON accounts (opened_time, account_id);

-- The search by name: a range of this index, the names that start with what
-- was typed. COLLATE "C" orders by bytes, so "starts with" is exactly "at or
-- after the text, and before the text followed by the highest character";
-- a language's collation orders spaces and accents in ways that break that
-- rule. The search spells the expression the same way, which is how
-- Postgres knows it may use the index.
CREATE INDEX IF NOT EXISTS accounts_by_name
  ON accounts ((lower(holder_name) COLLATE "C"), account_id);

-- One line per deposit, withdrawal or rejection: the account's statement.
-- The global position of the event is the line's identity, so inserting a
-- line twice is a no-op.
CREATE TABLE IF NOT EXISTS statement_lines (
  account_id text NOT NULL,
  global_position bigint NOT NULL,
  -- The event's position in the account's stream: the statement's order.
  position bigint NOT NULL,
  -- 'deposit', 'withdrawal', 'deposit-rejected', 'withdrawal-rejected'
  -- (each a code of `views::statement::Entry`).
  entry text NOT NULL,
  transaction_id text NOT NULL,
  amount bigint NOT NULL,
  -- The balance after this line; derived here, never carried by events.
  balance_after bigint NOT NULL,
  reason text,
  -- What the customer wrote to recognise it (optional).
  reference text,
  -- The transfer this line belongs to, from the event's correlation.
  funds_transfer_id text,
  time text NOT NULL,
  PRIMARY KEY (account_id, global_position)
);

-- One row per transfer, with the time of each step.
CREATE TABLE IF NOT EXISTS transfers (
  funds_transfer_id text PRIMARY KEY,
  withdrawal_account_id text NOT NULL,
  deposit_account_id text NOT NULL,
  amount bigint NOT NULL,
  -- 'initiated', 'withdrawn', 'deposited', 'transferred', 'cancelled',
  -- 'refunding', 'reversed', 'refund-rejected' (the money held), 'releasing',
  -- 'released', 'rejected' (the codes of `views::transfers::TransferStatus`).
  status text NOT NULL,
  reason text,
  requested_time text NOT NULL,
  initiated_time text,
  withdrawn_time text,
  deposited_time text,
  transferred_time text,
  cancelled_time text,
  deposit_rejected_time text,
  reversed_time text,
  refund_rejected_time text,
  release_requested_time text,
  released_time text,
  rejected_time text,
  -- Where an operator released the money held.
  release_account_id text,
  last_position bigint NOT NULL
);

-- Transfers are listed newest first, and per account.
CREATE INDEX IF NOT EXISTS transfers_by_request ON transfers (requested_time DESC);
CREATE INDEX IF NOT EXISTS transfers_by_withdrawal_account ON transfers (withdrawal_account_id);
CREATE INDEX IF NOT EXISTS transfers_by_deposit_account ON transfers (deposit_account_id);

-- Commands that were sent, and whether their outcome has been seen: the
-- "pending" the UI shows between a click and its effect. A row is keyed by
-- what identifies the command's effect (the deposit id, the transfer id,
-- 'open:{account}', 'close:{account}:{position}'), so it can be created by the
-- command or by its outcome, whichever the aggregator reads first.
CREATE TABLE IF NOT EXISTS commands (
  command_key text PRIMARY KEY,
  -- The id of the message that carried the first copy of the command: the
  -- web UI sends each form's command with the form's id as its message id,
  -- and finds the command's row by it, whatever the row's key.
  message_id text,
  -- 'open', 'deposit', 'withdraw', 'close', 'transfer', 'release'.
  kind text NOT NULL,
  account_id text,
  funds_transfer_id text,
  amount bigint,
  requested_time text,
  -- The global position of the first copy of the command.
  request_position bigint,
  -- The global position of the event that answered it, and what it said:
  -- 'opened', 'deposited', 'withdrawn', 'closed', 'initiated', 'released'
  -- or 'rejected' (`views::commands::Outcome`), and the reason of a rejection.
  processed_position bigint,
  outcome text,
  reason text,
  processed_time text
);

CREATE INDEX IF NOT EXISTS commands_by_account ON commands (account_id);
CREATE INDEX IF NOT EXISTS commands_by_message ON commands (message_id);

-- The commands still waiting for their answer: a handful at any moment, out
-- of every command ever sent. A partial index holds only those, so the
-- pending list on every page reads a few entries instead of the whole table.
CREATE INDEX IF NOT EXISTS commands_pending ON commands (request_position)
  WHERE processed_position IS NULL;

-- An account page lists that account's pending commands. A command leaves
-- the partial index when its answer is seen, but its entry stays behind,
-- dead, until the table is vacuumed: under a steady load that is thousands
-- of entries a minute. Keyed by account, a page walks only its own
-- account's leftovers, not the whole bank's.
CREATE INDEX IF NOT EXISTS commands_pending_by_account ON commands (account_id, request_position)
  WHERE processed_position IS NULL;

-- How far the aggregator has read each category. Written in the same
-- transaction as the view rows of each batch, so the views and the position
-- can never disagree.
CREATE TABLE IF NOT EXISTS aggregator_positions (
  category text PRIMARY KEY,
  position bigint NOT NULL
);

-- The aggregators running against these views, each seen a moment ago:
-- every running aggregator writes its row every second and removes it when
-- it stops. Rebuilding the views while one runs would race it, so a
-- rebuild looks here first and refuses while any row is fresh.
CREATE TABLE IF NOT EXISTS aggregators (
  instance text PRIMARY KEY,
  seen_time text NOT NULL
);

-- Operations: each consumer's recorded position and its lag, refreshed by
-- the aggregator every second. Not derived from events (it is a reading of
-- the store), so it is not part of what a rebuild must reproduce.
CREATE TABLE IF NOT EXISTS consumers (
  position_stream text PRIMARY KEY,
  category text NOT NULL,
  position bigint,
  lag bigint NOT NULL,
  updated_time text NOT NULL
);

-- Operations: messages consumers parked because they could not be handled.
CREATE TABLE IF NOT EXISTS dead_letters (
  global_position bigint PRIMARY KEY,
  consumer text NOT NULL,
  stream_name text NOT NULL,
  position bigint NOT NULL,
  message_type text NOT NULL,
  error text NOT NULL,
  time text NOT NULL
);

-- The web UI's role, where it exists (migrations/roles creates it), may read
-- the views and nothing else: it cannot insert, update or delete, so a bug
-- (or an attacker) in the web tier cannot change what people see without
-- going through the components.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bank_web') THEN
    -- Usually granted already, by whoever owns the schema (migrations/roles);
    -- granting again as the aggregator would only log a warning.
    IF NOT has_schema_privilege('bank_web', 'public', 'USAGE') THEN
      GRANT USAGE ON SCHEMA public TO bank_web;
    END IF;
    GRANT SELECT ON accounts, statement_lines, transfers, commands, consumers, dead_letters TO bank_web;
  END IF;
END
$$;

COMMIT;
