-- +goose Up
-- Tagged copies of downloads (one per purchase and format), kept in the
-- bucket while they are used: last_served is written at most about once
-- an hour per copy, and a copy not served for a day is evicted (it is
-- made again from its shared transcode and the purchase's tags).
CREATE TABLE tagged (
    sha256      TEXT    PRIMARY KEY,
    size        INTEGER NOT NULL,
    last_served INTEGER NOT NULL
);
CREATE INDEX tagged_served ON tagged(last_served);

-- +goose Down
DROP TABLE tagged;
