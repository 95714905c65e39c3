-- +goose Up
-- Download and discount codes: a creator's batch of single-use codes for
-- one release. Codes are kept as hashes only; a code is redeemed once
-- (redeemed_at set by a conditional update), and a checkout made with a
-- discount code holds it (reserved_*) until it is paid or ends.
CREATE TABLE code_batches (
    id          INTEGER PRIMARY KEY,
    release_id  INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    artist_id   INTEGER NOT NULL REFERENCES accounts(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('free', 'percent', 'fixed')),
    percent_off INTEGER NOT NULL DEFAULT 0 CHECK (percent_off BETWEEN 0 AND 100),
    off_cents   INTEGER NOT NULL DEFAULT 0 CHECK (off_cents >= 0),
    label       TEXT    NOT NULL DEFAULT '',
    count       INTEGER NOT NULL CHECK (count > 0),
    expires_at  INTEGER,
    revoked_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX code_batches_release ON code_batches(release_id, id);

CREATE TABLE codes (
    id                INTEGER PRIMARY KEY,
    batch_id          INTEGER NOT NULL REFERENCES code_batches(id) ON DELETE CASCADE,
    hash              BLOB    NOT NULL UNIQUE,
    reserved_by       INTEGER REFERENCES accounts(id),
    reserved_checkout TEXT,
    reserved_until    INTEGER,
    redeemed_at       INTEGER,
    redeemed_by       INTEGER REFERENCES accounts(id),
    purchase_id       INTEGER UNIQUE REFERENCES purchases(id)
);
CREATE INDEX codes_batch ON codes(batch_id);
CREATE INDEX codes_redeemed ON codes(batch_id) WHERE redeemed_at IS NOT NULL;

-- The code a checkout was made with, used when its sale is written.
CREATE TABLE checkout_codes (
    checkout_id TEXT    PRIMARY KEY REFERENCES checkouts(id),
    code_id     INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE checkout_codes;
DROP TABLE codes;
DROP TABLE code_batches;
