-- +goose Up
-- Where a checkout's payment page sends the fan back.
ALTER TABLE checkouts ADD COLUMN return_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE checkouts DROP COLUMN return_url;
