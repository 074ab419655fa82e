-- The calls a Message DB client can make, with good arguments and bad, in
-- one session, in this order. `message_db.rs` runs each line and records its
-- rows (as JSON, without the `time` column) or its error (SQLSTATE and text).
-- `answers.txt` holds Message DB 1.3.0's answers to exactly these lines.
-- Lines starting with `--` are comments; every other line is one call.

SET search_path = message_store, public

-- The interface itself: which functions there are, their arguments, results
-- and volatility.
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result, p.provolatile AS volatility, p.proisstrict AS strict FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'message_store' AND p.proname IN ('acquire_lock', 'cardinal_id', 'category', 'get_category_messages', 'get_last_stream_message', 'get_stream_messages', 'hash_64', 'id', 'is_category', 'message_store_version', 'stream_version', 'write_message') ORDER BY p.proname
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null FROM pg_attribute a WHERE a.attrelid = 'message_store.messages'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = 'message_store.message'::regclass AND a.attnum > 0 ORDER BY a.attnum
SELECT indexrelid::regclass::text AS index, indisunique AS is_unique FROM pg_index WHERE indrelid = 'message_store.messages'::regclass ORDER BY 1
SELECT message_store.message_store_version()

-- Stream names.
SELECT message_store.category('account-123')
SELECT message_store.category('account:command-123')
SELECT message_store.category('account-123+abc')
SELECT message_store.category('account')
SELECT message_store.category('account-')
SELECT message_store.category('-123')
SELECT message_store.category('a-b-c')
SELECT message_store.category('')
SELECT message_store.category(NULL)
SELECT message_store.id('account-123')
SELECT message_store.id('account:command-123')
SELECT message_store.id('account-123+abc')
SELECT message_store.id('account')
SELECT message_store.id('account-')
SELECT message_store.id('-123')
SELECT message_store.id('a-b-c')
SELECT message_store.id('')
SELECT message_store.id(NULL)
SELECT message_store.cardinal_id('account-123')
SELECT message_store.cardinal_id('account-123+abc')
SELECT message_store.cardinal_id('account-+abc')
SELECT message_store.cardinal_id('account')
SELECT message_store.cardinal_id('account-')
SELECT message_store.cardinal_id('a-b+c-d')
SELECT message_store.cardinal_id('')
SELECT message_store.cardinal_id(NULL)
SELECT message_store.is_category('account-123')
SELECT message_store.is_category('account')
SELECT message_store.is_category('account:command')
SELECT message_store.is_category('-')
SELECT message_store.is_category('')
SELECT message_store.is_category(NULL)
SELECT message_store.hash_64('account')
SELECT message_store.hash_64('account-123')
SELECT message_store.hash_64('')
SELECT message_store.hash_64(NULL)
SELECT message_store.acquire_lock('account-123')
SELECT message_store.acquire_lock('account')
SELECT message_store.acquire_lock('')
SELECT message_store.acquire_lock(NULL)

-- Writing: new streams, expected versions, metadata.
SELECT message_store.write_message('00000000-0000-4000-8000-000000000001', 'account-1', 'Opened', '{"accountId": "1"}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000002', 'account-1', 'Deposited', '{"amount": 10}', '{"correlationStreamName": "fundsTransfer-9"}', 0)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000003', 'account-1', 'Deposited', '{"amount": 20}', NULL, 0)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000004', 'account-1', 'Deposited', '{"amount": 30}', NULL, 1)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000005', 'account-2', 'Opened', '{}', NULL, -1)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000006', 'account-2', 'Opened', '{}', NULL, -1)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000007', 'account-3+x', 'Opened', '{}', '{"correlationStreamName": "fundsTransfer:command-9"}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000008', 'account:command-1', 'Deposit', '{"amount": 40}', '{"correlationStreamName": "fundsTransfer-9"}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000009', 'fundsTransfer-9', 'Initiated', '{}', '{}', NULL)
SELECT message_store.write_message('00000000-0000-4000-8000-00000000000a', 'account', 'Stray', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-00000000000b', 'account-4', 'Opened', 'null')
SELECT message_store.write_message('00000000-0000-4000-8000-00000000000c', 'account-4', 'Noted', '[1, 2]', '"a string"')
-- Writing with bad arguments: what is refused, and what each refusal
-- costs in global positions (the next good write shows it).
SELECT message_store.write_message('not-a-uuid', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000010', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000001', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000011', 'account-5', 'Opened', '{}')
SELECT message_store.write_message(NULL, 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000012', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000013', NULL, 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000014', 'account-5', NULL, '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000015', 'account-5', 'Opened', NULL)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000016', 'account-5', 'Opened', '{}', NULL, 99)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000017', 'account-5', 'Opened', '{}', NULL, -5)
SELECT message_store.write_message('00000000-0000-4000-8000-000000000018', '', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-000000000019', 'account-5', '', '{}')
SELECT message_store.write_message('', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('{00000000-0000-4000-8000-00000000001a}', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000000040008000-00000000001B', 'account-5', 'Opened', '{}')
SELECT message_store.write_message('00000000-0000-4000-8000-00000000001c', 'account-5', 'Opened', '{}')

-- Stream versions.
SELECT message_store.stream_version('account-1')
SELECT message_store.stream_version('account-5')
SELECT message_store.stream_version('nothing-1')
SELECT message_store.stream_version('account')
SELECT message_store.stream_version('')
SELECT message_store.stream_version(NULL)

-- Reading a stream.
SELECT * FROM message_store.get_stream_messages('account-1')
SELECT * FROM message_store.get_stream_messages('account-1', 1)
SELECT * FROM message_store.get_stream_messages('account-1', 1, 1)
SELECT * FROM message_store.get_stream_messages('account-1', NULL, NULL)
SELECT * FROM message_store.get_stream_messages('account-1', 0, -1)
SELECT * FROM message_store.get_stream_messages('account-1', 0, 0)
SELECT * FROM message_store.get_stream_messages('account-1', -10, 2)
SELECT * FROM message_store.get_stream_messages('account-1', 99)
SELECT * FROM message_store.get_stream_messages('nothing-1')
SELECT * FROM message_store.get_stream_messages('account')
SELECT * FROM message_store.get_stream_messages('')
SELECT * FROM message_store.get_stream_messages(NULL)
SELECT * FROM message_store.get_stream_messages('account-3+x')
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'position > 0')

-- The last message of a stream.
SELECT * FROM message_store.get_last_stream_message('account-1')
SELECT * FROM message_store.get_last_stream_message('account-1', 'Opened')
SELECT * FROM message_store.get_last_stream_message('account-1', 'Nothing')
SELECT * FROM message_store.get_last_stream_message('account-1', NULL)
SELECT * FROM message_store.get_last_stream_message('nothing-1')
SELECT * FROM message_store.get_last_stream_message('account')
SELECT * FROM message_store.get_last_stream_message(NULL)

-- Reading a category.
SELECT * FROM message_store.get_category_messages('account')
SELECT * FROM message_store.get_category_messages('account', 3)
SELECT * FROM message_store.get_category_messages('account', 3, 2)
SELECT * FROM message_store.get_category_messages('account', NULL, NULL)
SELECT * FROM message_store.get_category_messages('account', 0, -1)
SELECT * FROM message_store.get_category_messages('account', 1, 0)
SELECT * FROM message_store.get_category_messages('account', -5, 1)
SELECT * FROM message_store.get_category_messages('account:command')
SELECT * FROM message_store.get_category_messages('nothing')
SELECT * FROM message_store.get_category_messages('account-1')
SELECT * FROM message_store.get_category_messages('')
SELECT * FROM message_store.get_category_messages(NULL)
-- By correlation.
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer:command')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'nothing')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer-9')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, '')
-- By consumer group.
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 1, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 1)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 2, 3)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer', 0, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer', 1, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, NULL)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, NULL, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 0)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, -1, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 2, 2)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 32767)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 32768)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 40000, 50000)
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, 0, 9999999999)

-- SQL conditions: refused until a session turns them on.
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, NULL, NULL, 'position > 0')
SET message_store.sql_condition = on
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, NULL, NULL, 'position > 0')
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'type = ''Deposited''')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, 'fundsTransfer', 0, 2, 'position >= 0')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, NULL, NULL, 'no_such_column > 0')
SET message_store.sql_condition = off
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'position > 0')
SET message_store.sql_condition = 'yes'
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'position > 0')
SET message_store.sql_condition = ''
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'position > 0')
RESET message_store.sql_condition
SELECT * FROM message_store.get_stream_messages('account-1', 0, 1000, 'position > 0')
SELECT * FROM message_store.get_category_messages('account', 1, 1000, NULL, NULL, NULL, 'position > 0')

-- The summary views.
SELECT * FROM message_store.stream_summary ORDER BY stream_name
SELECT * FROM message_store.type_summary ORDER BY type
SELECT * FROM message_store.stream_type_summary ORDER BY stream_name, type
SELECT * FROM message_store.type_stream_summary ORDER BY type, stream_name
SELECT * FROM message_store.category_type_summary ORDER BY category, type
SELECT * FROM message_store.type_category_summary ORDER BY type, category
