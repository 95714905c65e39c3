-- +goose Up
-- Pre-orders: a release sold before its release day, and the tracks its
-- buyers get at once; the others open on that day.
ALTER TABLE releases ADD COLUMN preorder INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracks ADD COLUMN preorder_available INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tracks DROP COLUMN preorder_available;
ALTER TABLE releases DROP COLUMN preorder;
