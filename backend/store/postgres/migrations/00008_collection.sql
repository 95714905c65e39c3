-- +goose Up
-- Whether an account shows what it owns at /@handle/collection; off until
-- its owner turns it on. "collection" becomes a word of the site, so a
-- release slugged so moves to a new slug (the old address now shows the
-- collection).
ALTER TABLE accounts ADD COLUMN public_collection boolean NOT NULL DEFAULT false;
UPDATE releases SET slug = 'collection-' || id WHERE slug = 'collection';
INSERT INTO release_slugs (artist_id, slug, release_id)
    SELECT artist_id, slug, id FROM releases WHERE slug = 'collection-' || id ON CONFLICT DO NOTHING;
DELETE FROM release_slugs WHERE slug = 'collection';

-- +goose Down
ALTER TABLE accounts DROP COLUMN public_collection;
