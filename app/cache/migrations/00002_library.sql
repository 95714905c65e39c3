-- +goose Up
-- What the fan owns, mirrored for offline use.
CREATE TABLE library_items (
    purchase_id  INTEGER PRIMARY KEY,
    release_id   INTEGER NOT NULL,
    artist       TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    release_json TEXT    NOT NULL,
    receipt      TEXT    NOT NULL,
    receipt_ok   INTEGER NOT NULL DEFAULT 0,
    receipt_err  TEXT    NOT NULL DEFAULT '',
    purchased_at INTEGER NOT NULL,
    cover_path   TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE library_files (
    track_id    INTEGER PRIMARY KEY,
    purchase_id INTEGER NOT NULL REFERENCES library_items(purchase_id) ON DELETE CASCADE,
    release_id  INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    path        TEXT    NOT NULL, -- below the library folder, slash-separated
    state       TEXT    NOT NULL, -- pending, ok, corrupt, missing
    mtime_ns    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX library_files_release ON library_files(release_id, position);

-- +goose Down
DROP TABLE library_files;
DROP TABLE library_items;
