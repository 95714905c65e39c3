-- +goose Up
-- Lossless masters checked once per content (by the sha256 of the file in
-- the folder): what decoding found, and for a WAV or AIFF the FLAC it was
-- encoded to on this computer (path, under the cache's folder), which is
-- what is uploaded.
CREATE TABLE masters (
    sha256      TEXT    PRIMARY KEY,
    codec       TEXT    NOT NULL,            -- of the file in the folder: flac, wav, aiff
    sample_rate INTEGER NOT NULL,
    bit_depth   INTEGER NOT NULL,
    channels    INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    clipped     INTEGER NOT NULL DEFAULT 0,  -- runs of full-scale samples
    silent      INTEGER NOT NULL DEFAULT 0,
    upload_sha256 TEXT  NOT NULL,            -- the blob uploaded: the file itself, or its encode
    upload_size INTEGER NOT NULL,
    encoded     TEXT    NOT NULL DEFAULT '', -- the encode's path, '' for a FLAC uploaded as it is
    checked_at  INTEGER NOT NULL
);

-- +goose Down
DROP TABLE masters;
