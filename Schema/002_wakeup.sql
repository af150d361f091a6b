-- Writers and the wake-up call.
--
-- The cursor trap (DESIGN.md §2): ids from a sequence are not committed in id
-- order, so a reader doing WHERE id > cursor could skip an id committed late.
-- Every statement that inserts ticks first takes a transaction-level advisory
-- lock, before any id is drawn. Writers therefore draw ids one transaction
-- after another, and a transaction's ids become visible before the next
-- writer can draw any: once a reader sees id N, every id below N is settled.
-- The lock also covers COPY, which fires statement triggers too.
CREATE FUNCTION ticks_serialize_writers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7310843215);  -- any constant; names "ticks writer"
    RETURN NULL;
END $$;

CREATE TRIGGER ticks_serialize_writers
    BEFORE INSERT ON ticks
    FOR EACH STATEMENT EXECUTE FUNCTION ticks_serialize_writers();

-- One NOTIFY per statement, whatever its row count. The payload is empty on
-- purpose: the notification only wakes the server, the table is the log.
-- (PostgreSQL folds identical notifications of one transaction into one.)
CREATE FUNCTION ticks_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ticks', '');
    RETURN NULL;
END $$;

CREATE TRIGGER ticks_notify
    AFTER INSERT ON ticks
    FOR EACH STATEMENT EXECUTE FUNCTION ticks_notify();
