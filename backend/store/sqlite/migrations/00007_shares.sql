-- +goose Up
-- Collaborators share the creator part of a release's sales. A release's
-- shares (none: its owner keeps everything) are copied into each sale,
-- with the cents each payee got, and into each refund, with what each
-- gave back: a payee's earnings read their own rows only. Each sale and
-- refund row carries what the earnings group by (period keys as in
-- migration 00004), so a payee's earnings are one index range.
CREATE TABLE release_shares (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    bps        INTEGER NOT NULL CHECK (bps BETWEEN 1 AND 10000),
    position   INTEGER NOT NULL,
    PRIMARY KEY (release_id, account_id)
);

CREATE TABLE sale_shares (
    purchase_id    INTEGER NOT NULL REFERENCES purchases(id),
    account_id     INTEGER NOT NULL REFERENCES accounts(id),
    position       INTEGER NOT NULL,
    bps            INTEGER NOT NULL,
    cents          INTEGER NOT NULL CHECK (cents >= 0),
    release_id     INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    gross_cents    INTEGER NOT NULL,
    platform_cents INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (purchase_id, account_id)
);
INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases;
CREATE INDEX sale_shares_account_period ON sale_shares(account_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, gross_cents, cents, platform_cents, release_id);

CREATE TABLE refund_shares (
    refund_id    INTEGER NOT NULL REFERENCES refunds(id),
    purchase_id  INTEGER NOT NULL REFERENCES purchases(id),
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    cents        INTEGER NOT NULL CHECK (cents >= 0),
    amount_cents INTEGER NOT NULL, -- the whole refund
    currency     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (refund_id, account_id)
);
INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
SELECT f.id, f.purchase_id, p.artist_id, f.creator_cents, f.amount_cents, p.currency, f.created_at
FROM refunds f JOIN purchases p ON p.id = f.purchase_id;
CREATE INDEX refund_shares_account_period ON refund_shares(account_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, amount_cents, purchase_id);
CREATE INDEX refund_shares_purchase ON refund_shares(purchase_id, account_id, cents);

-- Transfers of a sale's parts to its payees' own accounts at the provider
-- (a sale with several payees): a refund reverses each by its id.
CREATE TABLE transfers (
    purchase_id INTEGER NOT NULL REFERENCES purchases(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    ref         TEXT    NOT NULL,
    cents       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (purchase_id, account_id)
);

-- Earnings now read the share tables; the owner's sales keep a plain index
-- (fans, the latest currency), which costs less to keep up than the
-- period index it replaces.
DROP INDEX purchases_artist_period;
CREATE INDEX purchases_artist ON purchases(artist_id);
DROP INDEX refunds_artist_period;

-- +goose Down
CREATE INDEX refunds_artist_period ON refunds(artist_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, amount_cents, purchase_id);
DROP INDEX purchases_artist;
CREATE INDEX purchases_artist_period ON purchases(artist_id, currency,
    CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER),
    CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER),
    created_at, gross_cents, creator_cents, platform_cents, release_id);
DROP TABLE transfers;
DROP TABLE refund_shares;
DROP TABLE sale_shares;
DROP TABLE release_shares;
