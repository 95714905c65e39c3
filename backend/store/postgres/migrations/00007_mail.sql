-- +goose Up
-- Outgoing mail: each message once per key, sent by the platform's mail
-- worker, which claims rows for a lease so a crash mid-send resumes.
CREATE TABLE mail_outbox (
    id          bigserial   PRIMARY KEY,
    dedup_key   text        NOT NULL UNIQUE,
    to_addr     text        NOT NULL,
    subject     text        NOT NULL,
    text_body   text        NOT NULL,
    html_body   text        NOT NULL,
    headers     jsonb       NOT NULL DEFAULT '{}',
    state       text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts    integer     NOT NULL DEFAULT 0,
    next_at     timestamptz NOT NULL,
    lease_till  timestamptz NOT NULL DEFAULT 'epoch',
    last_error  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_at);

-- Gifts: a release bought for an email address. The sale is held for the
-- recipient (nobody owns it) until they claim it with the link's token.
CREATE TABLE gifts (
    id            bigserial   PRIMARY KEY,
    checkout_id   text        NOT NULL UNIQUE REFERENCES checkouts(id),
    giver_id      bigint      NOT NULL REFERENCES accounts(id),
    release_id    bigint      NOT NULL REFERENCES releases(id),
    email         text        NOT NULL,
    message       text        NOT NULL DEFAULT '',
    lang          text        NOT NULL DEFAULT '',
    purchase_id   bigint      UNIQUE REFERENCES purchases(id),
    token_hash    bytea       UNIQUE,
    giver_receipt text        NOT NULL DEFAULT '',
    claimed_by    bigint      REFERENCES accounts(id),
    claimed_at    timestamptz,
    created_at    timestamptz NOT NULL
);
CREATE INDEX gifts_giver ON gifts(giver_id, id);
ALTER TABLE purchases ADD COLUMN gift_held boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE purchases DROP COLUMN gift_held;
DROP TABLE gifts;
DROP TABLE mail_outbox;
