-- +goose Up
-- Background jobs (transcodes, loudness): each (kind, key) once, claimed
-- by a worker for a lease so a crash mid-job is taken up again.
CREATE TABLE jobs (
    id          bigserial        PRIMARY KEY,
    kind        text             NOT NULL,
    job_key     text             NOT NULL,
    state       text             NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts    integer          NOT NULL DEFAULT 0,
    progress    double precision NOT NULL DEFAULT 0,
    next_at     timestamptz      NOT NULL,
    lease_till  timestamptz      NOT NULL DEFAULT 'epoch',
    last_error  text             NOT NULL DEFAULT '',
    created_at  timestamptz      NOT NULL,
    done_at     timestamptz,
    UNIQUE (kind, job_key)
);
CREATE INDEX jobs_due ON jobs(state, next_at);

-- Shared transcodes of masters, untagged, reused by every buyer; the
-- bytes are a blob named by their own sha256.
CREATE TABLE transcodes (
    master_sha256 text        NOT NULL,
    format        text        NOT NULL,
    version       integer     NOT NULL,
    sha256        text        NOT NULL,
    size          bigint      NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (master_sha256, format, version)
);

-- +goose Down
DROP TABLE transcodes;
DROP TABLE jobs;
