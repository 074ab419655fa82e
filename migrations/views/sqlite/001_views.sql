-- The views, in a SQLite file of their own: the same tables as
-- ../postgres/001_views.sql, which explains each of them. SQLite has no roles,
-- so the web UI's read-only access is a read-only connection instead.
--
-- SQLite cannot drop tables on a condition, so the check that the Postgres
-- file makes on `views_schema` (are these views of the current shape?) is
-- made by `views::ViewDatabase::install`, in the transaction that runs this
-- file: when the version differs, it drops every table first.

-- The shape of the views this file creates (see the Postgres file).
CREATE TABLE IF NOT EXISTS views_schema (version INTEGER NOT NULL);
INSERT INTO views_schema (version) SELECT 6 WHERE NOT EXISTS (SELECT 1 FROM views_schema);

-- One row per account: what the account page shows at the top.
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT PRIMARY KEY,
  customer_id TEXT,
  holder_name TEXT,
  -- The sum of the account's deposits minus its withdrawals, in cents.
  balance INTEGER NOT NULL DEFAULT 0,
  -- 'open', 'closed', or 'unopened' (an account that only ever saw
  -- rejected transactions): `views::accounts::AccountStatus`.
  status TEXT NOT NULL,
  opened_time TEXT,
  closed_time TEXT,
  -- The global position of the last event applied to this row: an event at
  -- or below it has been applied already and is skipped.
  last_position INTEGER NOT NULL
);

-- Paging newest first, and the search by name (see the Postgres file).
-- SQLite compares text by its bytes unless told otherwise.
CREATE INDEX IF NOT EXISTS accounts_by_opening ON accounts (opened_time, account_id);
CREATE INDEX IF NOT EXISTS accounts_by_name ON accounts (lower(holder_name), account_id);

-- One line per deposit, withdrawal or rejection: the account's statement.
-- The global position of the event is the line's identity, so inserting a
-- line twice is a no-op.
CREATE TABLE IF NOT EXISTS statement_lines (
  account_id TEXT NOT NULL,
  global_position INTEGER NOT NULL,
  -- The event's position in the account's stream: the statement's order.
  position INTEGER NOT NULL,
  -- 'deposit', 'withdrawal', 'deposit-rejected', 'withdrawal-rejected'
  -- (each a code of `views::statement::Entry`).
  entry TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  -- The balance after this line; derived here, never carried by events.
  balance_after INTEGER NOT NULL,
  reason TEXT,
  -- What the customer wrote to recognise it (optional).
  reference TEXT,
  -- The transfer this line belongs to, from the event's correlation.
  funds_transfer_id TEXT,
  time TEXT NOT NULL,
  PRIMARY KEY (account_id, global_position)
);

-- One row per transfer, with the time of each step.
CREATE TABLE IF NOT EXISTS transfers (
  funds_transfer_id TEXT PRIMARY KEY,
  withdrawal_account_id TEXT NOT NULL,
  deposit_account_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  -- 'initiated', 'withdrawn', 'deposited', 'transferred', 'cancelled',
  -- 'refunding', 'reversed', 'refund-rejected' (the money held), 'releasing',
  -- 'released', 'rejected' (the codes of `views::transfers::TransferStatus`).
  status TEXT NOT NULL,
  reason TEXT,
  requested_time TEXT NOT NULL,
  initiated_time TEXT,
  withdrawn_time TEXT,
  deposited_time TEXT,
  transferred_time TEXT,
  cancelled_time TEXT,
  deposit_rejected_time TEXT,
  reversed_time TEXT,
  refund_rejected_time TEXT,
  release_requested_time TEXT,
  released_time TEXT,
  rejected_time TEXT,
  -- Where an operator released the money held.
  release_account_id TEXT,
  last_position INTEGER NOT NULL
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
  command_key TEXT PRIMARY KEY,
  -- The id of the message that carried the first copy of the command: the
  -- web UI sends each form's command with the form's id as its message id,
  -- and finds the command's row by it, whatever the row's key.
  message_id TEXT,
  -- 'open', 'deposit', 'withdraw', 'close', 'transfer', 'release'.
  kind TEXT NOT NULL,
  account_id TEXT,
  funds_transfer_id TEXT,
  amount INTEGER,
  requested_time TEXT,
  -- The global position of the first copy of the command.
  request_position INTEGER,
  -- The global position of the event that answered it, and what it said:
  -- 'opened', 'deposited', 'withdrawn', 'closed', 'initiated', 'released'
  -- or 'rejected' (`views::commands::Outcome`), and the reason of a rejection.
  processed_position INTEGER,
  outcome TEXT,
  reason TEXT,
  processed_time TEXT
);

CREATE INDEX IF NOT EXISTS commands_by_account ON commands (account_id);
CREATE INDEX IF NOT EXISTS commands_by_message ON commands (message_id);

-- The commands still waiting for their answer: a handful at any moment, out
-- of every command ever sent. A partial index holds only those, so the
-- pending list on every page reads a few entries instead of the whole table.
CREATE INDEX IF NOT EXISTS commands_pending ON commands (request_position)
  WHERE processed_position IS NULL;

-- An account page lists that account's pending commands: keyed by account,
-- it reads only that account's entries. (The Postgres schema says why this
-- matters more there.)
CREATE INDEX IF NOT EXISTS commands_pending_by_account ON commands (account_id, request_position)
  WHERE processed_position IS NULL;

-- How far the aggregator has read each category. Written in the same
-- transaction as the view rows of each batch, so the views and the position
-- can never disagree.
CREATE TABLE IF NOT EXISTS aggregator_positions (
  category TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);

-- The aggregators running against these views, each seen a moment ago:
-- every running aggregator writes its row every second and removes it when
-- it stops. Rebuilding the views while one runs would race it, so a
-- rebuild looks here first and refuses while any row is fresh.
CREATE TABLE IF NOT EXISTS aggregators (
  instance TEXT PRIMARY KEY,
  seen_time TEXT NOT NULL
);

-- Operations: each consumer's recorded position and its lag, refreshed by
-- the aggregator every second. Not derived from events (it is a reading of
-- the store), so it is not part of what a rebuild must reproduce.
CREATE TABLE IF NOT EXISTS consumers (
  position_stream TEXT PRIMARY KEY,
  category TEXT NOT NULL,
  position INTEGER,
  lag INTEGER NOT NULL,
  updated_time TEXT NOT NULL
);

-- Operations: messages consumers parked because they could not be handled.
CREATE TABLE IF NOT EXISTS dead_letters (
  global_position INTEGER PRIMARY KEY,
  consumer TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  position INTEGER NOT NULL,
  message_type TEXT NOT NULL,
  error TEXT NOT NULL,
  time TEXT NOT NULL
);
