-- +goose Up
-- What decoding an uploaded audio blob once found: its loudness and true
-- peak, and a problem that makes it unusable (a FLAC whose samples do not
-- match its MD5).
CREATE TABLE audio_analyses (
    sha256      TEXT    PRIMARY KEY REFERENCES blobs(sha256),
    lufs        REAL    NOT NULL,
    peak        REAL    NOT NULL,
    problem     TEXT    NOT NULL DEFAULT '',
    analyzed_at INTEGER NOT NULL
);

-- A release's loudness over its tracks together, for the track list
-- tracks_hash names.
CREATE TABLE album_loudness (
    release_id  INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    tracks_hash TEXT    NOT NULL,
    lufs        REAL    NOT NULL,
    peak        REAL    NOT NULL,
    measured_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE album_loudness;
DROP TABLE audio_analyses;
