-- +goose Up
-- Plays heard but not yet told to the platform (offline, or it did not
-- answer): sent in order once it does, then deleted.
CREATE TABLE pending_plays (
    id       INTEGER PRIMARY KEY,
    track_id INTEGER NOT NULL,
    heard_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE pending_plays;
