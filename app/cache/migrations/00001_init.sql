-- +goose Up
CREATE TABLE roots (
    id       INTEGER PRIMARY KEY,
    path     TEXT    NOT NULL UNIQUE,
    state    TEXT    NOT NULL DEFAULT 'ok', -- ok, missing
    added_at INTEGER NOT NULL
);

-- Every file seen under a root. rel is the slash-separated path below the
-- root; dir is its release folder (the first element of rel).
CREATE TABLE files (
    root_id    INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
    rel        TEXT    NOT NULL,
    dir        TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    inode      INTEGER NOT NULL,
    sha256     TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    tags       TEXT    NOT NULL DEFAULT '', -- JSON of what the tags said
    state      TEXT    NOT NULL,            -- queued, hashing, uploading, synced, waiting, error
    error      TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (root_id, rel)
) WITHOUT ROWID;
CREATE INDEX files_dir ON files(root_id, dir);
CREATE INDEX files_sha ON files(sha256);

-- Release folders and the platform releases they became.
CREATE TABLE releases (
    root_id       INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
    dir           TEXT    NOT NULL,
    release_id    INTEGER NOT NULL DEFAULT 0,
    manifest_hash TEXT    NOT NULL DEFAULT '',
    pending       TEXT    NOT NULL DEFAULT '', -- manifest awaiting the creator's confirmation
    state         TEXT    NOT NULL,
    error         TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (root_id, dir)
) WITHOUT ROWID;

-- tus uploads in progress, by content: a crash or restart resumes them.
CREATE TABLE uploads (
    sha256     TEXT    PRIMARY KEY,
    url        TEXT    NOT NULL,
    offset     INTEGER NOT NULL DEFAULT 0,
    size       INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Blobs known to be on the platform, so they are never uploaded twice.
CREATE TABLE remote_blobs (
    sha256 TEXT PRIMARY KEY
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE remote_blobs;
DROP TABLE uploads;
DROP TABLE releases;
DROP TABLE files;
DROP TABLE roots;
