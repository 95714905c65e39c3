-- +goose Up
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    creator       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE blobs (
    sha256      TEXT    PRIMARY KEY,
    size        INTEGER NOT NULL,
    media_type  TEXT    NOT NULL,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE account_blobs (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sha256     TEXT    NOT NULL REFERENCES blobs(sha256),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, sha256)
) WITHOUT ROWID;

CREATE TABLE uploads (
    id         TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    sha256     TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    filename   TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX uploads_account ON uploads(account_id);

CREATE TABLE releases (
    id                INTEGER PRIMARY KEY,
    artist_id         INTEGER NOT NULL REFERENCES accounts(id),
    title             TEXT    NOT NULL,
    artist_name       TEXT    NOT NULL,
    description       TEXT    NOT NULL DEFAULT '',
    release_date      TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL CHECK (state IN ('draft', 'published')),
    price_cents       INTEGER NOT NULL CHECK (price_cents >= 0),
    currency          TEXT    NOT NULL,
    pay_what_you_want INTEGER NOT NULL DEFAULT 0,
    min_cents         INTEGER NOT NULL DEFAULT 0 CHECK (min_cents >= 0),
    cover_sha256      TEXT    REFERENCES blobs(sha256),
    search_text       TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    published_at      INTEGER
);
CREATE INDEX releases_artist ON releases(artist_id, id);
CREATE INDEX releases_state ON releases(state, id);

CREATE TABLE tracks (
    id           INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    audio_sha256 TEXT    NOT NULL REFERENCES blobs(sha256),
    UNIQUE (release_id, position)
);

-- +goose Down
DROP TABLE tracks;
DROP TABLE releases;
DROP TABLE uploads;
DROP TABLE account_blobs;
DROP TABLE blobs;
DROP TABLE sessions;
DROP TABLE accounts;
