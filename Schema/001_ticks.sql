-- The tick log. Every quote ever received stays here; history is plain SQL.
CREATE TABLE ticks (
    -- GENERATED ALWAYS: ids come only from the sequence, in the order the
    -- writer lock of 002 hands them out, so a reader's cursor never skips one.
    -- The sequence keeps CACHE 1 (the default): cached ranges per session
    -- would hand out ids out of commit order.
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol  text        NOT NULL,
    price   numeric     NOT NULL,
    size    bigint,
    bid     numeric,
    ask     numeric,
    ts      timestamptz NOT NULL DEFAULT now(),

    -- The same rule as Quotes/Symbol.swift: upper case, digits, . - = ^ / _.
    CONSTRAINT ticks_symbol_format CHECK (symbol ~ '^[A-Z0-9^][A-Z0-9.=^/_-]{0,19}$'),
    -- Exact decimals: positive, at most 12 digits before the point and 8 after.
    CONSTRAINT ticks_price_positive CHECK (price > 0 AND price < 1e12 AND scale(price) <= 8),
    CONSTRAINT ticks_size_not_negative CHECK (size >= 0),
    CONSTRAINT ticks_bid_positive CHECK (bid > 0 AND bid < 1e12 AND scale(bid) <= 8),
    CONSTRAINT ticks_ask_positive CHECK (ask > 0 AND ask < 1e12 AND scale(ask) <= 8),
    CONSTRAINT ticks_bid_not_above_ask CHECK (bid <= ask),
    CONSTRAINT ticks_ts_sane CHECK (ts >= '1970-01-01' AND ts < '10000-01-01')
);

-- "Ticks of a symbol after cursor X" (resume, long polls, the latest quote).
CREATE INDEX ticks_symbol_id ON ticks (symbol, id);
-- "Ticks of a symbol in a time range" (history, OHLC bars).
CREATE INDEX ticks_symbol_ts ON ticks (symbol, ts);

COMMENT ON TABLE ticks IS 'Quote ticks, one row per trade or quote update; id order is commit order.';
