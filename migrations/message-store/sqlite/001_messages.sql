-- The embedded message store: the same table as on Postgres, in one SQLite
-- file, so that `cargo run` needs nothing installed.
--
-- SQLite lets one writer in at a time, for the whole file. That gives us for
-- free what the per-category lock gives Postgres: a transaction takes its
-- global positions and commits before the next writer starts, so a category
-- reader never skips a message that commits late. The Rust side opens every
-- write with BEGIN IMMEDIATE, taking the write lock before reading the stream
-- version, so the expected-version check and the insert see the same stream.
--
-- SQLite has no md5() and no jsonb, so three columns that Postgres computes
-- with functions at read time are computed once, in Rust, at write time by
-- the same code that parses stream names (messaging/src/stream_name.rs):
-- `category`, `correlation_category` and `cardinal_id_hash`.

CREATE TABLE IF NOT EXISTS messages (
  -- AUTOINCREMENT promises that a global position is never handed out twice,
  -- even if the newest row were ever deleted.
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  position INTEGER NOT NULL,
  -- ISO 8601 in UTC with milliseconds, as the Rust side and Eventide write it.
  time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  stream_name TEXT NOT NULL,
  type TEXT NOT NULL,
  -- JSON text.
  data TEXT,
  metadata TEXT,
  id TEXT NOT NULL,
  -- `category(stream_name)`: what category reads select on.
  category TEXT NOT NULL,
  -- `category(metadata->>'correlationStreamName')`: what correlated reads
  -- select on. NULL when the message has no correlation.
  correlation_category TEXT,
  -- `hash_64(cardinal_id(stream_name))`: what consumer groups partition on.
  -- NULL when the stream name has no id.
  cardinal_id_hash INTEGER
);

-- A message id is written once, ever.
CREATE UNIQUE INDEX IF NOT EXISTS messages_id ON messages (id);

-- Stream reads, and no two messages at one position of a stream.
CREATE UNIQUE INDEX IF NOT EXISTS messages_stream ON messages (stream_name, position);

-- Category reads walk this index in global position order, as on Postgres.
CREATE INDEX IF NOT EXISTS messages_category
  ON messages (category, global_position, correlation_category);
