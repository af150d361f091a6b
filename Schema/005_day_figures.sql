-- Event time is the truth; day figures against a reference price.
--
-- Ticks are delivered in id order (commit order), but a backfill of yesterday's
-- ticks commits after today's: "the latest quote" is the newest `ts`, the id
-- only breaking ties, and OHLC is ordered the same way (ts, then id).

-- (symbol, ts, id) answers "newest ts of a symbol" and time ranges alike; it
-- replaces (symbol, ts).
CREATE INDEX ticks_symbol_ts_id ON ticks (symbol, ts, id);
DROP INDEX ticks_symbol_ts;

CREATE OR REPLACE FUNCTION latest_ticks(symbols text[])
RETURNS SETOF ticks
LANGUAGE sql STABLE AS $$
    SELECT t.*
    FROM unnest(symbols) AS s(symbol)
    CROSS JOIN LATERAL (
        SELECT * FROM ticks WHERE ticks.symbol = s.symbol ORDER BY ts DESC, id DESC LIMIT 1
    ) AS t
$$;

CREATE OR REPLACE VIEW latest_quotes AS
SELECT t.* FROM symbols s
CROSS JOIN LATERAL (
    SELECT * FROM ticks WHERE ticks.symbol = s.symbol ORDER BY ts DESC, id DESC LIMIT 1
) AS t;

-- The exchange's trading day: its time zone and the local time a session
-- opens. One row. `UPDATE market_session SET time_zone = 'America/New_York',
-- opens = '09:30'` makes sessions start at 09:30 New York time.
CREATE TABLE market_session (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    time_zone text NOT NULL DEFAULT 'UTC',
    opens     time NOT NULL DEFAULT '00:00'
);
INSERT INTO market_session DEFAULT VALUES;

-- Start and end of the session containing `at`, and its exchange-local date.
CREATE FUNCTION market_session_at(at timestamptz DEFAULT now(),
                                  OUT starts timestamptz, OUT ends timestamptz, OUT day date)
LANGUAGE sql STABLE AS $$
    SELECT (d + m.opens) AT TIME ZONE m.time_zone, (d + 1 + m.opens) AT TIME ZONE m.time_zone, d
    FROM market_session m,
         LATERAL (SELECT at AT TIME ZONE m.time_zone AS local) l,
         LATERAL (SELECT CASE WHEN l.local::time >= m.opens THEN l.local::date ELSE l.local::date - 1 END AS d) s
$$;

-- A reference price a feed sets for a session (an official previous close,
-- or one adjusted for a split or a dividend). Where there is none, the
-- previous session's last tick is the reference.
CREATE TABLE reference_prices (
    symbol  text    NOT NULL,
    session date    NOT NULL,   -- the exchange-local date of the session it is the reference for
    price   numeric NOT NULL,
    PRIMARY KEY (symbol, session),
    CONSTRAINT reference_prices_symbol_format CHECK (symbol ~ '^[A-Z0-9^][A-Z0-9.=^/_-]{0,19}$'),
    CONSTRAINT reference_prices_price_positive CHECK (price > 0 AND price < 1e12 AND scale(price) <= 8)
);

-- The day of each given symbol in the session containing `at`: the reference
-- (reference_prices; else the last tick before the session, by ts then id;
-- else the session's first tick), open, high, low, last, volume, and change
-- against the reference. `reference_from` says which reference was used.
CREATE FUNCTION day_quotes(symbols text[], at timestamptz DEFAULT now())
RETURNS TABLE (symbol text, session_start timestamptz, reference numeric, reference_from text,
               open numeric, high numeric, low numeric, last numeric, volume numeric,
               change numeric, change_pct numeric)
LANGUAGE sql STABLE AS $$
    SELECT q.symbol, s.starts, r.price, r.source, d.open, d.high, d.low, l.price, coalesce(d.volume, 0),
           l.price - r.price, round(100 * (l.price / r.price - 1), 2)
    FROM market_session_at(at) s
    CROSS JOIN unnest(symbols) AS q(symbol)
    LEFT JOIN LATERAL (
        SELECT (array_agg(t.price ORDER BY t.ts, t.id))[1] AS open, max(t.price) AS high,
               min(t.price) AS low, sum(t.size) AS volume
        FROM ticks t WHERE t.symbol = q.symbol AND t.ts >= s.starts AND t.ts < s.ends
    ) d ON true
    LEFT JOIN LATERAL (
        SELECT t.price FROM ticks t WHERE t.symbol = q.symbol AND t.ts < s.ends ORDER BY t.ts DESC, t.id DESC LIMIT 1
    ) l ON true
    LEFT JOIN LATERAL (
        SELECT c.price, c.source FROM (
            SELECT p.price, 'reference_prices' AS source, 1 AS rank
            FROM reference_prices p WHERE p.symbol = q.symbol AND p.session = s.day
            UNION ALL
            (SELECT t.price, 'previous close', 2 FROM ticks t
             WHERE t.symbol = q.symbol AND t.ts < s.starts ORDER BY t.ts DESC, t.id DESC LIMIT 1)
            UNION ALL
            SELECT d.open, 'day open', 3 WHERE d.open IS NOT NULL
        ) c ORDER BY c.rank LIMIT 1
    ) r ON true
$$;

-- The day of every symbol that has ticks.
CREATE VIEW day_figures AS
SELECT d.* FROM (SELECT array_agg(symbol) AS all_symbols FROM symbols) s, day_quotes(s.all_symbols) d;

GRANT SELECT ON market_session, day_figures TO ticker_feed, ticker_server;
GRANT SELECT, INSERT, UPDATE, DELETE ON reference_prices TO ticker_feed;
GRANT SELECT ON reference_prices TO ticker_server;
GRANT EXECUTE ON FUNCTION market_session_at(timestamptz), day_quotes(text[], timestamptz) TO ticker_feed, ticker_server;
