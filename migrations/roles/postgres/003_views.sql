-- In the views' database: the aggregator owns the view tables (it creates
-- them, and drops them to rebuild), and the web UI may only read them.

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275103); END $$;

GRANT USAGE, CREATE ON SCHEMA public TO bank_aggregator;
GRANT USAGE ON SCHEMA public TO bank_web;

-- Tables the aggregator creates from now on are readable by the web UI...
ALTER DEFAULT PRIVILEGES FOR ROLE bank_aggregator IN SCHEMA public
  GRANT SELECT ON TABLES TO bank_web;

-- ...and so are the ones that exist already, whoever created them.
DO $$
DECLARE
  _table text;
BEGIN
  FOREACH _table IN ARRAY ARRAY['accounts', 'statement_lines', 'transfers', 'commands',
                                'consumers', 'dead_letters']
  LOOP
    IF to_regclass(_table) IS NOT NULL THEN
      EXECUTE format('GRANT SELECT ON %I TO bank_web', _table);
    END IF;
  END LOOP;
END
$$;

COMMIT;
