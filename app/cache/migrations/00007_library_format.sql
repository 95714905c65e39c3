-- +goose Up
-- The format each owned file is in (flac, mp3-320, …; '' for files mirrored
-- before formats, which are the MP3 masters themselves), the format a release is fully
-- mirrored in, the files a format switch left to remove once the release is
-- complete in the new format, and the bonus files of each release.
ALTER TABLE library_files ADD COLUMN format TEXT NOT NULL DEFAULT '';
ALTER TABLE library_files ADD COLUMN master_sha256 TEXT NOT NULL DEFAULT ''; -- what the file was made from; '' when it is the master
ALTER TABLE library_items ADD COLUMN format TEXT NOT NULL DEFAULT ''; -- '' until a release is whole in one format
UPDATE library_items SET format = 'mp3'; -- everything mirrored so far was MP3 masters

CREATE TABLE library_leftovers (
    path        TEXT    PRIMARY KEY, -- below the library folder, slash-separated
    purchase_id INTEGER NOT NULL REFERENCES library_items(purchase_id) ON DELETE CASCADE,
    sha256      TEXT    NOT NULL     -- as mirrored: a file that differs was changed by the fan and is kept
);

CREATE TABLE library_extras (
    purchase_id INTEGER NOT NULL REFERENCES library_items(purchase_id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    mtime_ns    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (purchase_id, name)
);

-- +goose Down
DROP TABLE library_extras;
DROP TABLE library_leftovers;
ALTER TABLE library_items DROP COLUMN format;
ALTER TABLE library_files DROP COLUMN master_sha256;
ALTER TABLE library_files DROP COLUMN format;
