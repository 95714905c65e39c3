-- +goose Up
-- Collaborators share the creator part of a release's sales. A release's
-- shares (none: its owner keeps everything) are copied into each sale,
-- with the cents each payee got, and into each refund, with what each
-- gave back: a payee's earnings are one range of their own index.
CREATE TABLE release_shares (
    release_id bigint NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id),
    bps        bigint NOT NULL CHECK (bps BETWEEN 1 AND 10000),
    position   int    NOT NULL,
    PRIMARY KEY (release_id, account_id)
);

CREATE TABLE sale_shares (
    purchase_id    bigint      NOT NULL REFERENCES purchases (id),
    account_id     bigint      NOT NULL REFERENCES accounts (id),
    position       int         NOT NULL,
    bps            bigint      NOT NULL,
    cents          bigint      NOT NULL CHECK (cents >= 0),
    release_id     bigint      NOT NULL,
    currency       text        NOT NULL,
    gross_cents    bigint      NOT NULL,
    platform_cents bigint      NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (purchase_id, account_id)
);
INSERT INTO sale_shares (purchase_id, account_id, position, bps, cents, release_id, currency, gross_cents, platform_cents, created_at)
SELECT id, artist_id, 0, 10000, creator_cents, release_id, currency, gross_cents, platform_cents, created_at FROM purchases;
CREATE INDEX sale_shares_account ON sale_shares (account_id, currency, created_at)
    INCLUDE (gross_cents, cents, platform_cents, release_id);

CREATE TABLE refund_shares (
    refund_id    bigint      NOT NULL REFERENCES refunds (id),
    purchase_id  bigint      NOT NULL REFERENCES purchases (id),
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    cents        bigint      NOT NULL CHECK (cents >= 0),
    amount_cents bigint      NOT NULL, -- the whole refund
    currency     text        NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (refund_id, account_id)
);
INSERT INTO refund_shares (refund_id, purchase_id, account_id, cents, amount_cents, currency, created_at)
SELECT f.id, f.purchase_id, f.artist_id, f.creator_cents, f.amount_cents, f.currency, f.created_at FROM refunds f;
CREATE INDEX refund_shares_account ON refund_shares (account_id, currency, created_at) INCLUDE (amount_cents, purchase_id);
CREATE INDEX refund_shares_purchase ON refund_shares (purchase_id, account_id) INCLUDE (cents);

-- Transfers of a sale's parts to its payees' own accounts at the provider
-- (a sale with several payees): a refund reverses each by its id.
CREATE TABLE transfers (
    purchase_id bigint NOT NULL REFERENCES purchases (id),
    account_id  bigint NOT NULL REFERENCES accounts (id),
    ref         text    NOT NULL,
    cents       bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (purchase_id, account_id)
);

-- Earnings now read the share tables; the owner's sales keep a plain index
-- (fans, the latest currency), which costs less to keep up.
DROP INDEX purchases_artist;
CREATE INDEX purchases_artist ON purchases (artist_id, id);
DROP INDEX refunds_artist;

-- +goose Down
CREATE INDEX refunds_artist ON refunds (artist_id, currency, created_at) INCLUDE (amount_cents, purchase_id);
DROP INDEX purchases_artist;
CREATE INDEX purchases_artist ON purchases (artist_id, currency, created_at)
    INCLUDE (gross_cents, creator_cents, platform_cents, release_id);
DROP TABLE transfers;
DROP TABLE refund_shares;
DROP TABLE sale_shares;
DROP TABLE release_shares;
