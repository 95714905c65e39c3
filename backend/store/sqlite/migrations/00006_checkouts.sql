-- +goose Up
-- A checkout is a purchase waiting for the payment provider's confirmation;
-- the sale is written when the provider's webhook event arrives.
CREATE TABLE checkouts (
    id              TEXT    PRIMARY KEY,
    fan_id          INTEGER NOT NULL REFERENCES accounts(id),
    release_id      INTEGER NOT NULL REFERENCES releases(id),
    artist_id       INTEGER NOT NULL REFERENCES accounts(id),
    idempotency_key TEXT    NOT NULL,
    request_hash    BLOB    NOT NULL,
    amount_cents    INTEGER NOT NULL CHECK (amount_cents >= 0),
    currency        TEXT    NOT NULL,
    share_email     INTEGER NOT NULL DEFAULT 0,
    provider        TEXT    NOT NULL,
    session_ref     TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('open', 'paid', 'expired', 'failed')),
    purchase_id     INTEGER REFERENCES purchases(id),
    error           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    UNIQUE (fan_id, idempotency_key)
);
CREATE UNIQUE INDEX checkouts_session ON checkouts(provider, session_ref);

-- Every provider event acted upon, so a delivery repeated any number of
-- times has one effect.
CREATE TABLE payment_events (
    provider    TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE INDEX purchases_payment ON purchases(provider, payment_ref);

CREATE TABLE disputes (
    provider     TEXT    NOT NULL,
    ref          TEXT    NOT NULL,
    purchase_id  INTEGER NOT NULL REFERENCES purchases(id),
    amount_cents INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    open         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    closed_at    INTEGER,
    PRIMARY KEY (provider, ref)
);
CREATE INDEX disputes_purchase ON disputes(purchase_id);
CREATE INDEX disputes_open ON disputes(purchase_id) WHERE open;

-- What the provider says it took back from the payees for a refund, to be
-- compared with the creator side the split rule reverses (NULL: unknown).
ALTER TABLE refunds ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN reversed_cents INTEGER;

-- A creator's connected account at the provider (Stripe Connect Express):
-- sales need its charges enabled.
CREATE TABLE payment_accounts (
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    provider        TEXT    NOT NULL,
    ref             TEXT    NOT NULL,
    charges_enabled INTEGER NOT NULL DEFAULT 0,
    payouts_enabled INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, provider)
);
CREATE UNIQUE INDEX payment_accounts_ref ON payment_accounts(provider, ref);

-- +goose Down
DROP TABLE payment_accounts;
ALTER TABLE refunds DROP COLUMN reversed_cents;
ALTER TABLE refunds DROP COLUMN provider_ref;
DROP TABLE disputes;
DROP INDEX purchases_payment;
DROP TABLE payment_events;
DROP TABLE checkouts;
