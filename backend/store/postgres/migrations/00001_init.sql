-- +goose Up
-- The platform's schema on PostgreSQL: the same tables, keys and checks as
-- the SQLite store's migrations 00001–00005, in one step.

CREATE TABLE accounts (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    display_name  text        NOT NULL,
    creator       boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);
-- One account per email whatever its case; lookups use the same expression.
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));

CREATE TABLE sessions (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea       NOT NULL UNIQUE,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE blobs (
    sha256      text        PRIMARY KEY,
    size        bigint      NOT NULL,
    media_type  text        NOT NULL,
    duration_ms bigint      NOT NULL DEFAULT 0,
    width       integer     NOT NULL DEFAULT 0,
    height      integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL
);

CREATE TABLE account_blobs (
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sha256     text        NOT NULL REFERENCES blobs (sha256),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, sha256)
);

CREATE TABLE uploads (
    id         text        PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sha256     text        NOT NULL,
    size       bigint      NOT NULL,
    filename   text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);
CREATE INDEX uploads_account ON uploads (account_id);
CREATE INDEX uploads_created ON uploads (created_at);

CREATE TABLE releases (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id         bigint      NOT NULL REFERENCES accounts (id),
    title             text        NOT NULL,
    artist_name       text        NOT NULL,
    description       text        NOT NULL DEFAULT '',
    release_date      text        NOT NULL DEFAULT '',
    state             text        NOT NULL CHECK (state IN ('draft', 'published')),
    price_cents       bigint      NOT NULL CHECK (price_cents >= 0),
    currency          text        NOT NULL,
    pay_what_you_want boolean     NOT NULL DEFAULT false,
    min_cents         bigint      NOT NULL DEFAULT 0 CHECK (min_cents >= 0),
    cover_sha256      text        REFERENCES blobs (sha256),
    search_text       text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    published_at      timestamptz
);
CREATE INDEX releases_artist ON releases (artist_id, id);
CREATE INDEX releases_state ON releases (state, id);

CREATE TABLE tracks (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release_id   bigint  NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    title        text    NOT NULL,
    audio_sha256 text    NOT NULL REFERENCES blobs (sha256),
    UNIQUE (release_id, position)
);

CREATE TABLE receipt_keys (
    kid         text        PRIMARY KEY,
    private_key bytea       NOT NULL,
    public_key  bytea       NOT NULL,
    active      boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    seq         bigint      GENERATED ALWAYS AS IDENTITY -- orders keys made in the same millisecond
);
CREATE UNIQUE INDEX receipt_keys_one_active ON receipt_keys (active) WHERE active;

CREATE TABLE purchases (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fan_id         bigint      NOT NULL REFERENCES accounts (id),
    release_id     bigint      NOT NULL REFERENCES releases (id),
    artist_id      bigint      NOT NULL REFERENCES accounts (id),
    gross_cents    bigint      NOT NULL CHECK (gross_cents >= 0),
    creator_cents  bigint      NOT NULL CHECK (creator_cents >= 0),
    platform_cents bigint      NOT NULL CHECK (platform_cents >= 0),
    fee_cents      bigint      NOT NULL DEFAULT 0,
    rate_bps       bigint      NOT NULL,
    currency       text        NOT NULL,
    provider       text        NOT NULL,
    payment_ref    text        NOT NULL,
    share_email    boolean     NOT NULL DEFAULT false,
    receipt        text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    CHECK (creator_cents + platform_cents = gross_cents)
);
-- A creator's earnings in a window are one range of this index, read
-- without touching the table.
CREATE INDEX purchases_artist ON purchases (artist_id, currency, created_at)
    INCLUDE (gross_cents, creator_cents, platform_cents, release_id);
CREATE INDEX purchases_fan ON purchases (fan_id, release_id);
CREATE INDEX purchases_release ON purchases (release_id);

-- What each buyer received, so sold audio can never be taken away.
CREATE TABLE purchase_tracks (
    purchase_id  bigint  NOT NULL REFERENCES purchases (id),
    position     integer NOT NULL,
    title        text    NOT NULL,
    audio_sha256 text    NOT NULL,
    PRIMARY KEY (purchase_id, position)
);

CREATE TABLE idempotency_keys (
    fan_id        bigint      NOT NULL REFERENCES accounts (id),
    key           text        NOT NULL,
    request_hash  bytea       NOT NULL,
    purchase_id   bigint      REFERENCES purchases (id),
    error_code    text        NOT NULL DEFAULT '',
    error_message text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (fan_id, key)
);

-- A refund carries its sale's creator and currency (filled by the
-- inserting statement), so a creator's refunds are one index range.
CREATE TABLE refunds (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purchase_id    bigint      NOT NULL REFERENCES purchases (id),
    artist_id      bigint      NOT NULL REFERENCES accounts (id),
    currency       text        NOT NULL,
    amount_cents   bigint      NOT NULL CHECK (amount_cents > 0),
    creator_cents  bigint      NOT NULL CHECK (creator_cents >= 0),
    platform_cents bigint      NOT NULL CHECK (platform_cents >= 0),
    refunded_by    bigint      REFERENCES accounts (id), -- NULL: an operator
    created_at     timestamptz NOT NULL,
    CHECK (creator_cents + platform_cents = amount_cents)
);
CREATE INDEX refunds_purchase ON refunds (purchase_id) INCLUDE (amount_cents, creator_cents, platform_cents);
CREATE INDEX refunds_artist ON refunds (artist_id, currency, created_at) INCLUDE (amount_cents, purchase_id);

CREATE TABLE payouts (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    artist_id    bigint      NOT NULL REFERENCES accounts (id),
    amount_cents bigint      NOT NULL CHECK (amount_cents > 0),
    currency     text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('pending', 'paid')),
    created_at   timestamptz NOT NULL,
    paid_at      timestamptz
);
CREATE INDEX payouts_artist ON payouts (artist_id, currency);

CREATE TABLE payout_items (
    payout_id    bigint NOT NULL REFERENCES payouts (id),
    purchase_id  bigint NOT NULL REFERENCES purchases (id),
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (payout_id, purchase_id)
);
CREATE INDEX payout_items_purchase ON payout_items (purchase_id) INCLUDE (amount_cents);

-- The journal: append-only, every transaction's postings sum to zero.
CREATE TABLE ledger_txns (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('sale', 'refund', 'payout', 'payout_paid')),
    purchase_id bigint      REFERENCES purchases (id),
    refund_id   bigint      REFERENCES refunds (id),
    payout_id   bigint      REFERENCES payouts (id),
    created_at  timestamptz NOT NULL
);

CREATE TABLE postings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txn_id       bigint NOT NULL REFERENCES ledger_txns (id),
    account      text   NOT NULL,
    currency     text   NOT NULL,
    amount_cents bigint NOT NULL -- > 0 debit, < 0 credit
);
CREATE INDEX postings_account ON postings (account, currency) INCLUDE (amount_cents);
CREATE INDEX postings_txn ON postings (txn_id);

-- +goose StatementBegin
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER ledger_txns_append_only BEFORE UPDATE OR DELETE ON ledger_txns
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER ledger_txns_no_truncate BEFORE TRUNCATE ON ledger_txns
    FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();

CREATE TABLE follows (
    fan_id     bigint      NOT NULL REFERENCES accounts (id),
    artist_id  bigint      NOT NULL REFERENCES accounts (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (artist_id, fan_id)
);

-- What each account stores plus what it is uploading, in bytes: the quota
-- check reads one row instead of summing every blob the account owns.
-- Triggers keep it in the statement that changes ownership or an upload,
-- whoever writes it.
CREATE TABLE account_usage (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    used_bytes bigint NOT NULL DEFAULT 0
);

-- +goose StatementBegin
-- add_usage adds bytes to an account's usage; an account being deleted has
-- lost its row already and does not get it back.
CREATE FUNCTION add_usage(account bigint, bytes bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE account_usage SET used_bytes = used_bytes + bytes WHERE account_id = account;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION account_usage_new_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_usage (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER account_usage_new_account AFTER INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_usage_new_account();

-- +goose StatementBegin
CREATE FUNCTION account_usage_blobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM add_usage(OLD.account_id, -(SELECT size FROM blobs WHERE sha256 = OLD.sha256));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM add_usage(NEW.account_id, (SELECT size FROM blobs WHERE sha256 = NEW.sha256));
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER account_usage_blobs AFTER INSERT OR DELETE OR UPDATE OF account_id, sha256 ON account_blobs
    FOR EACH ROW EXECUTE FUNCTION account_usage_blobs();

-- +goose StatementBegin
CREATE FUNCTION account_usage_resize_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_usage SET used_bytes = used_bytes + NEW.size - OLD.size
    WHERE account_id IN (SELECT account_id FROM account_blobs WHERE sha256 = NEW.sha256);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER account_usage_resize_blob AFTER UPDATE OF size ON blobs
    FOR EACH ROW EXECUTE FUNCTION account_usage_resize_blob();

-- +goose StatementBegin
CREATE FUNCTION account_usage_uploads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM add_usage(OLD.account_id, -OLD.size);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM add_usage(NEW.account_id, NEW.size);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER account_usage_uploads AFTER INSERT OR DELETE OR UPDATE OF account_id, size ON uploads
    FOR EACH ROW EXECUTE FUNCTION account_usage_uploads();

-- +goose Down
DROP TABLE account_usage;
DROP FUNCTION account_usage_uploads, account_usage_resize_blob, account_usage_blobs, account_usage_new_account, add_usage;
DROP TABLE follows;
DROP TABLE postings;
DROP TABLE ledger_txns;
DROP FUNCTION journal_append_only;
DROP TABLE payout_items;
DROP TABLE payouts;
DROP TABLE refunds;
DROP TABLE idempotency_keys;
DROP TABLE purchase_tracks;
DROP TABLE purchases;
DROP TABLE receipt_keys;
DROP TABLE tracks;
DROP TABLE releases;
DROP TABLE uploads;
DROP TABLE account_blobs;
DROP TABLE blobs;
DROP TABLE sessions;
DROP TABLE accounts;
