-- +goose Up
-- A checkout is a purchase waiting for the payment provider's confirmation;
-- the sale is written when the provider's webhook event arrives.
CREATE TABLE checkouts (
    id              text        PRIMARY KEY,
    fan_id          bigint      NOT NULL REFERENCES accounts (id),
    release_id      bigint      NOT NULL REFERENCES releases (id),
    artist_id       bigint      NOT NULL REFERENCES accounts (id),
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    amount_cents    bigint      NOT NULL CHECK (amount_cents >= 0),
    currency        text        NOT NULL,
    share_email     boolean     NOT NULL DEFAULT false,
    provider        text        NOT NULL,
    session_ref     text        NOT NULL,
    url             text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('open', 'paid', 'expired', 'failed')),
    purchase_id     bigint      REFERENCES purchases (id),
    error           text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    UNIQUE (fan_id, idempotency_key)
);
CREATE UNIQUE INDEX checkouts_session ON checkouts (provider, session_ref);

-- Every provider event acted upon, so a delivery repeated any number of
-- times has one effect.
CREATE TABLE payment_events (
    provider    text        NOT NULL,
    event_id    text        NOT NULL,
    type        text        NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE INDEX purchases_payment ON purchases (provider, payment_ref);

CREATE TABLE disputes (
    provider     text        NOT NULL,
    ref          text        NOT NULL,
    purchase_id  bigint      NOT NULL REFERENCES purchases (id),
    amount_cents bigint      NOT NULL,
    status       text        NOT NULL,
    open         boolean     NOT NULL,
    created_at   timestamptz NOT NULL,
    closed_at    timestamptz,
    PRIMARY KEY (provider, ref)
);
CREATE INDEX disputes_purchase ON disputes (purchase_id);
CREATE INDEX disputes_open ON disputes (purchase_id) WHERE open;

-- What the provider says it took back from the payees for a refund, to be
-- compared with the creator side the split rule reverses (NULL: unknown).
ALTER TABLE refunds ADD COLUMN provider_ref text NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN reversed_cents bigint;

-- A creator's connected account at the provider (Stripe Connect Express):
-- sales need its charges enabled.
CREATE TABLE payment_accounts (
    account_id      bigint NOT NULL REFERENCES accounts (id),
    provider        text    NOT NULL,
    ref             text    NOT NULL,
    charges_enabled boolean NOT NULL DEFAULT false,
    payouts_enabled boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (account_id, provider)
);
CREATE UNIQUE INDEX payment_accounts_ref ON payment_accounts (provider, ref);

-- +goose Down
DROP TABLE payment_accounts;
ALTER TABLE refunds DROP COLUMN reversed_cents;
ALTER TABLE refunds DROP COLUMN provider_ref;
DROP TABLE disputes;
DROP INDEX purchases_payment;
DROP TABLE payment_events;
DROP TABLE checkouts;
