-- +goose Up
-- What the release folder's listing was (names and stats of its files)
-- when a pass last found all of it synced: a rescan that lists the same
-- need not read the folder's file records.
ALTER TABLE releases ADD COLUMN scanned TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE releases DROP COLUMN scanned;
