-- +goose Up
-- The public web: a release's slug (its name in /@handle/slug, earlier
-- slugs kept so old addresses redirect) and how much of it plays before
-- buying; a creator's handle (earlier handles kept too) and profile.
ALTER TABLE releases ADD COLUMN slug text NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN preview_seconds int NOT NULL DEFAULT 30;
ALTER TABLE releases ADD COLUMN full_streaming boolean NOT NULL DEFAULT false;
UPDATE releases SET slug = 'r' || id;

CREATE TABLE release_slugs (
    artist_id  bigint NOT NULL REFERENCES accounts (id),
    slug       text   NOT NULL,
    release_id bigint NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    PRIMARY KEY (artist_id, slug)
);
INSERT INTO release_slugs (artist_id, slug, release_id) SELECT artist_id, slug, id FROM releases;

ALTER TABLE accounts ADD COLUMN bio text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN links jsonb NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN picture_sha256 text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN handle text;
CREATE UNIQUE INDEX accounts_handle ON accounts (handle);

CREATE TABLE handles (
    handle     text   PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id)
);

-- +goose Down
DROP TABLE handles;
DROP INDEX accounts_handle;
ALTER TABLE accounts DROP COLUMN handle;
ALTER TABLE accounts DROP COLUMN picture_sha256;
ALTER TABLE accounts DROP COLUMN links;
ALTER TABLE accounts DROP COLUMN bio;
DROP TABLE release_slugs;
ALTER TABLE releases DROP COLUMN full_streaming;
ALTER TABLE releases DROP COLUMN preview_seconds;
ALTER TABLE releases DROP COLUMN slug;
