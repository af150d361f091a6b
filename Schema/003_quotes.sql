-- The latest quote per symbol (the snapshot), cheap to read.
--
-- No trigger keeps a copy up to date (that would cost every insert); instead
-- the (symbol, id) index answers "the newest row of a symbol" in one probe,
-- and a recursive skip scan walks the distinct symbols without reading every row.

-- Latest tick of each given symbol.
CREATE FUNCTION latest_ticks(symbols text[])
RETURNS SETOF ticks
LANGUAGE sql STABLE AS $$
    SELECT t.*
    FROM unnest(symbols) AS s(symbol)
    CROSS JOIN LATERAL (
        SELECT * FROM ticks WHERE ticks.symbol = s.symbol ORDER BY id DESC LIMIT 1
    ) AS t
$$;

-- Every symbol that has ticks, via a skip scan on ticks_symbol_id.
CREATE VIEW symbols AS
WITH RECURSIVE s(symbol) AS (
    (SELECT symbol FROM ticks ORDER BY symbol LIMIT 1)
    UNION ALL
    SELECT (SELECT t.symbol FROM ticks t WHERE t.symbol > s.symbol ORDER BY t.symbol LIMIT 1)
    FROM s WHERE s.symbol IS NOT NULL
)
SELECT symbol FROM s WHERE symbol IS NOT NULL;

-- The latest quote of every symbol.
CREATE VIEW latest_quotes AS
SELECT t.* FROM symbols s
CROSS JOIN LATERAL (
    SELECT * FROM ticks WHERE ticks.symbol = s.symbol ORDER BY id DESC LIMIT 1
) AS t;
