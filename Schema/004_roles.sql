-- Least privilege. Roles are cluster-wide, so they are created only when missing.
--   ticker_feed:   may insert ticks (and read them back), nothing else.
--   ticker_server: may read ticks and LISTEN; may not write anything.
-- Against your own PostgreSQL, give them passwords (ALTER ROLE ... PASSWORD)
-- and put them in DATABASE_URL for `ticker feed` and `ticker serve`.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ticker_feed') THEN
        CREATE ROLE ticker_feed LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ticker_server') THEN
        CREATE ROLE ticker_server LOGIN;
    END IF;
END $$;

REVOKE ALL ON ticks FROM PUBLIC;
GRANT SELECT, INSERT ON ticks TO ticker_feed;
GRANT SELECT ON ticks TO ticker_server;
GRANT SELECT ON symbols, latest_quotes TO ticker_feed, ticker_server;
GRANT EXECUTE ON FUNCTION latest_ticks(text[]) TO ticker_feed, ticker_server;
