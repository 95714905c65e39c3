-- +goose Up
CREATE TABLE receipt_keys (
    kid         TEXT    PRIMARY KEY,
    private_key BLOB    NOT NULL,
    public_key  BLOB    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE purchases (
    id             INTEGER PRIMARY KEY,
    fan_id         INTEGER NOT NULL REFERENCES accounts(id),
    release_id     INTEGER NOT NULL REFERENCES releases(id),
    artist_id      INTEGER NOT NULL REFERENCES accounts(id),
    gross_cents    INTEGER NOT NULL CHECK (gross_cents >= 0),
    creator_cents  INTEGER NOT NULL CHECK (creator_cents >= 0),
    platform_cents INTEGER NOT NULL CHECK (platform_cents >= 0),
    fee_cents      INTEGER NOT NULL DEFAULT 0,
    rate_bps       INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    payment_ref    TEXT    NOT NULL,
    share_email    INTEGER NOT NULL DEFAULT 0,
    receipt        TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    CHECK (creator_cents + platform_cents = gross_cents)
);
CREATE INDEX purchases_artist ON purchases(artist_id, currency, created_at, gross_cents, creator_cents, platform_cents, release_id);
CREATE INDEX purchases_fan ON purchases(fan_id, release_id);
CREATE INDEX purchases_release ON purchases(release_id);

-- What each buyer received, so sold audio can never be taken away.
CREATE TABLE purchase_tracks (
    purchase_id  INTEGER NOT NULL REFERENCES purchases(id),
    position     INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    audio_sha256 TEXT    NOT NULL,
    PRIMARY KEY (purchase_id, position)
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    fan_id        INTEGER NOT NULL REFERENCES accounts(id),
    key           TEXT    NOT NULL,
    request_hash  BLOB    NOT NULL,
    purchase_id   INTEGER REFERENCES purchases(id),
    error_code    TEXT    NOT NULL DEFAULT '',
    error_message TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (fan_id, key)
) WITHOUT ROWID;

CREATE TABLE refunds (
    id             INTEGER PRIMARY KEY,
    purchase_id    INTEGER NOT NULL REFERENCES purchases(id),
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    creator_cents  INTEGER NOT NULL CHECK (creator_cents >= 0),
    platform_cents INTEGER NOT NULL CHECK (platform_cents >= 0),
    refunded_by    INTEGER REFERENCES accounts(id), -- NULL: an administrator
    created_at     INTEGER NOT NULL,
    CHECK (creator_cents + platform_cents = amount_cents)
);
CREATE INDEX refunds_purchase ON refunds(purchase_id);

CREATE TABLE payouts (
    id           INTEGER PRIMARY KEY,
    artist_id    INTEGER NOT NULL REFERENCES accounts(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency     TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'paid')),
    created_at   INTEGER NOT NULL,
    paid_at      INTEGER
);
CREATE INDEX payouts_artist ON payouts(artist_id, currency);

CREATE TABLE payout_items (
    payout_id    INTEGER NOT NULL REFERENCES payouts(id),
    purchase_id  INTEGER NOT NULL REFERENCES purchases(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (payout_id, purchase_id)
) WITHOUT ROWID;
CREATE INDEX payout_items_purchase ON payout_items(purchase_id);

-- The journal: append-only, every transaction's postings sum to zero.
CREATE TABLE ledger_txns (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('sale', 'refund', 'payout', 'payout_paid')),
    purchase_id INTEGER REFERENCES purchases(id),
    refund_id   INTEGER REFERENCES refunds(id),
    payout_id   INTEGER REFERENCES payouts(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE postings (
    id           INTEGER PRIMARY KEY,
    txn_id       INTEGER NOT NULL REFERENCES ledger_txns(id),
    account      TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL -- > 0 debit, < 0 credit
);
CREATE INDEX postings_account ON postings(account, currency, amount_cents);
CREATE INDEX postings_txn ON postings(txn_id);

CREATE TRIGGER postings_append_only_u BEFORE UPDATE ON postings BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_append_only_d BEFORE DELETE ON postings BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER ledger_txns_append_only_u BEFORE UPDATE ON ledger_txns BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_txns_append_only_d BEFORE DELETE ON ledger_txns BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

CREATE TABLE follows (
    fan_id     INTEGER NOT NULL REFERENCES accounts(id),
    artist_id  INTEGER NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (artist_id, fan_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE follows;
DROP TABLE postings;
DROP TABLE ledger_txns;
DROP TABLE payout_items;
DROP TABLE payouts;
DROP TABLE refunds;
DROP TABLE idempotency_keys;
DROP TABLE purchase_tracks;
DROP TABLE purchases;
DROP TABLE receipt_keys;
