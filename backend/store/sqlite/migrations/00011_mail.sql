-- +goose Up
-- Outgoing mail: each message once per key, sent by the platform's mail
-- worker, which claims rows for a lease so a crash mid-send resumes.
CREATE TABLE mail_outbox (
    id            INTEGER PRIMARY KEY,
    dedup_key     TEXT    NOT NULL UNIQUE,
    to_addr       TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    text_body     TEXT    NOT NULL,
    html_body     TEXT    NOT NULL,
    headers       TEXT    NOT NULL DEFAULT '{}',
    state         TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    lease_till    INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_at);

-- Gifts: a release bought for an email address. The sale is held for the
-- recipient (nobody owns it) until they claim it with the link's token.
CREATE TABLE gifts (
    id            INTEGER PRIMARY KEY,
    checkout_id   TEXT    NOT NULL UNIQUE REFERENCES checkouts(id),
    giver_id      INTEGER NOT NULL REFERENCES accounts(id),
    release_id    INTEGER NOT NULL REFERENCES releases(id),
    email         TEXT    NOT NULL,
    message       TEXT    NOT NULL DEFAULT '',
    lang          TEXT    NOT NULL DEFAULT '',
    purchase_id   INTEGER UNIQUE REFERENCES purchases(id),
    token_hash    BLOB    UNIQUE,
    giver_receipt TEXT    NOT NULL DEFAULT '',
    claimed_by    INTEGER REFERENCES accounts(id),
    claimed_at    INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX gifts_giver ON gifts(giver_id, id);
ALTER TABLE purchases ADD COLUMN gift_held INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE purchases DROP COLUMN gift_held;
DROP TABLE gifts;
DROP TABLE mail_outbox;
