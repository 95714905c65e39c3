-- +goose Up
-- Earnings group sales and refunds by UTC month and day. The period keys
-- (YYYYMM and the day of the month, as integers) live in the indexes, so
-- SQLite computes them once when a row is written (and here, for existing
-- rows) and the per-creator aggregates read index pages only, already in
-- period order. Queries must spell the key expressions exactly as below
-- (earnings.go holds them) for SQLite to read them from the index.
DROP INDEX purchases_artist;
CREATE INDEX purchases_artist_period ON purchases(artist_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, gross_cents, creator_cents, platform_cents, release_id);

-- A refund carries its sale's creator and currency, so a creator's refunds
-- are one index range instead of a probe per sale. The trigger fills them
-- in the inserting statement, whoever writes the refund.
ALTER TABLE refunds ADD COLUMN artist_id INTEGER REFERENCES accounts(id);
ALTER TABLE refunds ADD COLUMN currency TEXT;
UPDATE refunds SET (artist_id, currency) = (SELECT p.artist_id, p.currency FROM purchases p WHERE p.id = refunds.purchase_id);
-- +goose StatementBegin
CREATE TRIGGER refunds_owner AFTER INSERT ON refunds BEGIN
    UPDATE refunds SET (artist_id, currency) = (SELECT p.artist_id, p.currency FROM purchases p WHERE p.id = NEW.purchase_id)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd
CREATE INDEX refunds_artist_period ON refunds(artist_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, amount_cents, purchase_id);

-- +goose Down
DROP INDEX refunds_artist_period;
DROP TRIGGER refunds_owner;
ALTER TABLE refunds DROP COLUMN currency;
ALTER TABLE refunds DROP COLUMN artist_id;
DROP INDEX purchases_artist_period;
CREATE INDEX purchases_artist ON purchases(artist_id, currency, created_at, gross_cents, creator_cents, platform_cents, release_id);
