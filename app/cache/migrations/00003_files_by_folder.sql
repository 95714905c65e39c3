-- +goose Up
-- Files are kept in release-folder order: a folder's records (what every
-- pass reads) are one range of the table whatever the planner's statistics
-- say, a lookup by path has its own unique index, and a lookup by stat (a
-- rename: same size, mtime and inode) has one too. Nothing looks files up
-- by hash, so that index goes.
CREATE TABLE files_by_folder (
    root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
    rel         TEXT    NOT NULL,
    dir         TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    inode       INTEGER NOT NULL,
    sha256      TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    tags        TEXT    NOT NULL DEFAULT '', -- JSON of what the tags said
    state       TEXT    NOT NULL,            -- queued, hashing, uploading, synced, waiting, error
    error       TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (root_id, dir, rel)
) WITHOUT ROWID;
INSERT INTO files_by_folder (root_id, rel, dir, size, mtime_ns, inode, sha256, duration_ms, tags, state, error, updated_at)
    SELECT root_id, rel, dir, size, mtime_ns, inode, sha256, duration_ms, tags, state, error, updated_at FROM files;
DROP TABLE files;
ALTER TABLE files_by_folder RENAME TO files;
CREATE UNIQUE INDEX files_rel ON files(root_id, rel);
CREATE INDEX files_stat ON files(root_id, size, mtime_ns, inode);

-- +goose Down
CREATE TABLE files_by_rel (
    root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
    rel         TEXT    NOT NULL,
    dir         TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    inode       INTEGER NOT NULL,
    sha256      TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    tags        TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (root_id, rel)
) WITHOUT ROWID;
INSERT INTO files_by_rel SELECT root_id, rel, dir, size, mtime_ns, inode, sha256, duration_ms, tags, state, error, updated_at FROM files;
DROP TABLE files;
ALTER TABLE files_by_rel RENAME TO files;
CREATE INDEX files_dir ON files(root_id, dir);
CREATE INDEX files_sha ON files(sha256);
