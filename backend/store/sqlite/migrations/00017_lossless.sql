-- +goose Up
-- The format of a lossless audio blob, from its STREAMINFO; 0 for others.
ALTER TABLE blobs ADD COLUMN sample_rate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE blobs ADD COLUMN bit_depth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE blobs ADD COLUMN channels INTEGER NOT NULL DEFAULT 0;

-- A release's bonus files, in the order its creator gave them; names are
-- unique within a release (case aside, which the service checks).
CREATE TABLE release_extras (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    sha256     TEXT    NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (release_id, position),
    UNIQUE (release_id, name)
);

-- +goose Down
DROP TABLE release_extras;
ALTER TABLE blobs DROP COLUMN channels;
ALTER TABLE blobs DROP COLUMN bit_depth;
ALTER TABLE blobs DROP COLUMN sample_rate;
