-- The version of the Message DB interface this store implements. Clients and
-- Message DB's admin scripts check it. VOLATILE, as Message DB declares it
-- (the differential test, `messaging/tests/message_db.rs`, compares even
-- that).

BEGIN;
SET LOCAL client_min_messages = warning;
DO $$ BEGIN PERFORM pg_advisory_xact_lock(7362536275101); END $$;

CREATE OR REPLACE FUNCTION message_store.message_store_version()
RETURNS varchar
AS $$
BEGIN
  RETURN '1.3.0';
END;
$$ LANGUAGE plpgsql VOLATILE;

COMMIT;
