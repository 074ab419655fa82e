-- Reporting views: how many messages of each stream, type and category, and
-- what share of the store they make. Message DB's admin scripts print them;
-- an operator can `SELECT * FROM message_store.category_type_summary`.
-- They scan the whole table, so they are for people, not for code paths.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE VIEW message_store.stream_summary AS
  WITH counts AS (
    SELECT stream_name, count(*) AS message_count
    FROM message_store.messages
    GROUP BY stream_name
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.stream_name,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.stream_name;

CREATE OR REPLACE VIEW message_store.type_summary AS
  WITH counts AS (
    SELECT type, count(*) AS message_count
    FROM message_store.messages
    GROUP BY type
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.type,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.type;

CREATE OR REPLACE VIEW message_store.stream_type_summary AS
  WITH counts AS (
    SELECT stream_name, type, count(*) AS message_count
    FROM message_store.messages
    GROUP BY stream_name, type
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.stream_name,
         counts.type,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.stream_name, counts.type;

CREATE OR REPLACE VIEW message_store.type_stream_summary AS
  WITH counts AS (
    SELECT type, stream_name, count(*) AS message_count
    FROM message_store.messages
    GROUP BY type, stream_name
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.type,
         counts.stream_name,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.type, counts.stream_name;

CREATE OR REPLACE VIEW message_store.category_type_summary AS
  WITH counts AS (
    SELECT message_store.category(stream_name) AS category, type, count(*) AS message_count
    FROM message_store.messages
    GROUP BY category, type
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.category,
         counts.type,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.category, counts.type;

CREATE OR REPLACE VIEW message_store.type_category_summary AS
  WITH counts AS (
    SELECT type, message_store.category(stream_name) AS category, count(*) AS message_count
    FROM message_store.messages
    GROUP BY type, category
  ), total AS (
    SELECT count(*)::decimal AS message_count FROM message_store.messages
  )
  SELECT counts.type,
         counts.category,
         counts.message_count,
         round(counts.message_count / total.message_count * 100, 2) AS percent
  FROM counts, total
  ORDER BY counts.type, counts.category;

COMMIT;
