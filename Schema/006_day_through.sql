-- Day figures as a delayed subscriber may see them (#16): a delayed symbol's
-- open, high, low, last, volume and reference come only from ticks with
-- ts <= its cut (now - delay), never from ticks the delay still holds.
--
-- `through` pairs with `symbols` by position: a NULL cut (or a shorter or
-- NULL array) means no cut, the live view. `day_quotes(symbols, at)` is this
-- with no cuts, so there is one definition of the day.
CREATE FUNCTION day_quotes_through(symbols text[], through timestamptz[], at timestamptz DEFAULT now())
RETURNS TABLE (symbol text, session_start timestamptz, reference numeric, reference_from text,
               open numeric, high numeric, low numeric, last numeric, volume numeric,
               change numeric, change_pct numeric)
LANGUAGE sql STABLE AS $$
    SELECT q.symbol, s.starts, r.price, r.source, d.open, d.high, d.low, l.price, coalesce(d.volume, 0),
           l.price - r.price, round(100 * (l.price / r.price - 1), 2)
    FROM market_session_at(at) s
    CROSS JOIN unnest(symbols, coalesce(through, '{}')) AS q(symbol, cut)
    LEFT JOIN LATERAL (
        SELECT (array_agg(t.price ORDER BY t.ts, t.id))[1] AS open, max(t.price) AS high,
               min(t.price) AS low, sum(t.size) AS volume
        FROM ticks t WHERE t.symbol = q.symbol AND t.ts >= s.starts AND t.ts < s.ends
                       AND (q.cut IS NULL OR t.ts <= q.cut)
    ) d ON true
    LEFT JOIN LATERAL (
        SELECT t.price FROM ticks t WHERE t.symbol = q.symbol AND t.ts < s.ends AND (q.cut IS NULL OR t.ts <= q.cut)
        ORDER BY t.ts DESC, t.id DESC LIMIT 1
    ) l ON true
    LEFT JOIN LATERAL (
        SELECT c.price, c.source FROM (
            SELECT p.price, 'reference_prices' AS source, 1 AS rank
            FROM reference_prices p WHERE p.symbol = q.symbol AND p.session = s.day
            UNION ALL
            (SELECT t.price, 'previous close', 2 FROM ticks t
             WHERE t.symbol = q.symbol AND t.ts < s.starts AND (q.cut IS NULL OR t.ts <= q.cut)
             ORDER BY t.ts DESC, t.id DESC LIMIT 1)
            UNION ALL
            SELECT d.open, 'day open', 3 WHERE d.open IS NOT NULL
        ) c ORDER BY c.rank LIMIT 1
    ) r ON true
    WHERE q.symbol IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION day_quotes(symbols text[], at timestamptz DEFAULT now())
RETURNS TABLE (symbol text, session_start timestamptz, reference numeric, reference_from text,
               open numeric, high numeric, low numeric, last numeric, volume numeric,
               change numeric, change_pct numeric)
LANGUAGE sql STABLE AS $$
    SELECT * FROM day_quotes_through(symbols, NULL, at)
$$;

GRANT EXECUTE ON FUNCTION day_quotes_through(text[], timestamptz[], timestamptz) TO ticker_feed, ticker_server;
