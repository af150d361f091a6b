-- Least privilege. Roles are cluster-wide, so they are created only when missing.
--   ticker_feed:   may insert ticks (and read them back), nothing else.
--   ticker_server: may read ticks and LISTEN; may not write anything.
-- Against your own PostgreSQL, give them passwords (ALTER ROLE ... PASSWORD)
-- and put them in DATABASE_URL for `ticker feed` and `ticker serve`.
-- Two databases of one cluster may be migrated at once (advisory locks are
-- per database), so a role created meanwhile by the other is not an error.
DO $$
BEGIN
    BEGIN
        CREATE ROLE ticker_feed LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE ticker_server LOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END $$;

REVOKE ALL ON ticks FROM PUBLIC;
GRANT SELECT, INSERT ON ticks TO ticker_feed;
GRANT SELECT ON ticks TO ticker_server;
GRANT SELECT ON symbols, latest_quotes TO ticker_feed, ticker_server;
GRANT EXECUTE ON FUNCTION latest_ticks(text[]) TO ticker_feed, ticker_server;
