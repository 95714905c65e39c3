-- +goose Up
-- How often each release was previewed and played, per UTC day (days
-- since 1970-01-01). Counters only: nothing says who listened.
CREATE TABLE insight_days (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    day        INTEGER NOT NULL,
    plays      INTEGER NOT NULL DEFAULT 0,
    previews   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (release_id, day)
) WITHOUT ROWID;

-- Where the payer of a sale is, as the payment provider said (ISO 3166-1
-- alpha-2); empty when it did not say.
ALTER TABLE purchases ADD COLUMN country TEXT NOT NULL DEFAULT '';
CREATE INDEX purchases_release_day ON purchases(release_id, created_at);

-- +goose Down
DROP INDEX purchases_release_day;
ALTER TABLE purchases DROP COLUMN country;
DROP TABLE insight_days;
