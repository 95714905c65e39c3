-- +goose Up
-- Pre-orders: a release sold before its release day, and the tracks its
-- buyers get at once; the others open on that day.
ALTER TABLE releases ADD COLUMN preorder boolean NOT NULL DEFAULT false;
ALTER TABLE tracks ADD COLUMN preorder_available boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE tracks DROP COLUMN preorder_available;
ALTER TABLE releases DROP COLUMN preorder;
