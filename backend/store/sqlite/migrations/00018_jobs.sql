-- +goose Up
-- Background jobs (transcodes, loudness): each (kind, key) once, claimed
-- by a worker for a lease so a crash mid-job is taken up again.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    job_key     TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    progress    REAL    NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    lease_till  INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    UNIQUE (kind, job_key)
);
CREATE INDEX jobs_due ON jobs(state, next_at);

-- Shared transcodes of masters, untagged, reused by every buyer; the
-- bytes are a blob named by their own sha256.
CREATE TABLE transcodes (
    master_sha256 TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (master_sha256, format, version)
);

-- +goose Down
DROP TABLE transcodes;
DROP TABLE jobs;
