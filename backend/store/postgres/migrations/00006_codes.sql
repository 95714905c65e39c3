-- +goose Up
-- Download and discount codes: a creator's batch of single-use codes for
-- one release. Codes are kept as hashes only; a code is redeemed once
-- (redeemed_at set by a conditional update), and a checkout made with a
-- discount code holds it (reserved_*) until it is paid or ends.
CREATE TABLE code_batches (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release_id  bigint      NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    artist_id   bigint      NOT NULL REFERENCES accounts (id),
    kind        text        NOT NULL CHECK (kind IN ('free', 'percent', 'fixed')),
    percent_off bigint      NOT NULL DEFAULT 0 CHECK (percent_off BETWEEN 0 AND 100),
    off_cents   bigint      NOT NULL DEFAULT 0 CHECK (off_cents >= 0),
    label       text        NOT NULL DEFAULT '',
    count       integer     NOT NULL CHECK (count > 0),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX code_batches_release ON code_batches (release_id, id);

CREATE TABLE codes (
    id                bigint    GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id          bigint    NOT NULL REFERENCES code_batches (id) ON DELETE CASCADE,
    hash              bytea     NOT NULL UNIQUE,
    reserved_by       bigint    REFERENCES accounts (id),
    reserved_checkout text,
    reserved_until    timestamptz,
    redeemed_at       timestamptz,
    redeemed_by       bigint    REFERENCES accounts (id),
    purchase_id       bigint    UNIQUE REFERENCES purchases (id)
);
CREATE INDEX codes_batch ON codes (batch_id);
CREATE INDEX codes_redeemed ON codes (batch_id) WHERE redeemed_at IS NOT NULL;

-- The code a checkout was made with, used when its sale is written.
CREATE TABLE checkout_codes (
    checkout_id text   PRIMARY KEY REFERENCES checkouts (id),
    code_id     bigint NOT NULL REFERENCES codes (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE checkout_codes;
DROP TABLE codes;
DROP TABLE code_batches;
