-- +goose Up
-- Whether an account shows what it owns at /@handle/collection; off until
-- its owner turns it on. "collection" becomes a word of the site, so a
-- release slugged so moves to a new slug (the old address now shows the
-- collection).
ALTER TABLE accounts ADD COLUMN public_collection INTEGER NOT NULL DEFAULT 0;
UPDATE releases SET slug = 'collection-' || id WHERE slug = 'collection';
INSERT OR IGNORE INTO release_slugs (artist_id, slug, release_id)
    SELECT artist_id, slug, id FROM releases WHERE slug = 'collection-' || id;
DELETE FROM release_slugs WHERE slug = 'collection';

-- +goose Down
ALTER TABLE accounts DROP COLUMN public_collection;
