-- +goose Up
-- What decoding an uploaded audio blob once found: its loudness and true
-- peak, and a problem that makes it unusable (a FLAC whose samples do not
-- match its MD5).
CREATE TABLE audio_analyses (
    sha256      text             PRIMARY KEY REFERENCES blobs(sha256),
    lufs        double precision NOT NULL,
    peak        double precision NOT NULL,
    problem     text             NOT NULL DEFAULT '',
    analyzed_at timestamptz      NOT NULL
);

-- A release's loudness over its tracks together, for the track list
-- tracks_hash names.
CREATE TABLE album_loudness (
    release_id  bigint           PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    tracks_hash text             NOT NULL,
    lufs        double precision NOT NULL,
    peak        double precision NOT NULL,
    measured_at timestamptz      NOT NULL
);

-- +goose Down
DROP TABLE album_loudness;
DROP TABLE audio_analyses;
