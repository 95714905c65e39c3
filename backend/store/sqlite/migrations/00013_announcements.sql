-- +goose Up
-- Announcements: a creator's news, shown on their page, feed and fans'
-- apps, and emailed to the fans of its audience who chose to get it. A
-- test send (audience 'me') shows nowhere.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    artist_id    INTEGER NOT NULL REFERENCES accounts(id),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    release_id   INTEGER REFERENCES releases(id) ON DELETE SET NULL,
    image_sha256 TEXT    NOT NULL DEFAULT '',
    audience     TEXT    NOT NULL CHECK (audience IN ('followers', 'buyers', 'releases', 'me')),
    release_ids  TEXT    NOT NULL DEFAULT '[]', -- a JSON array, for the audience 'releases'
    recipients   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX announcements_artist ON announcements(artist_id, id);

-- A fan's choices about one artist's email: whether to get it, and
-- whether the artist sees their address. Kept apart from follows: a buyer
-- who does not follow may choose too, and turning email off leaves the
-- follow as it is.
CREATE TABLE mail_prefs (
    fan_id      INTEGER NOT NULL REFERENCES accounts(id),
    artist_id   INTEGER NOT NULL REFERENCES accounts(id),
    email       INTEGER NOT NULL DEFAULT 0,
    share_email INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (artist_id, fan_id)
) WITHOUT ROWID;
CREATE INDEX mail_prefs_fan ON mail_prefs(fan_id, artist_id);

-- Keys the platform signs with (unsubscribe links), made on first use.
CREATE TABLE server_secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- "news" becomes a word of the site (/@handle/news/ID): a release slugged
-- so moves to a new slug.
UPDATE releases SET slug = 'news-' || id WHERE slug = 'news';
INSERT OR IGNORE INTO release_slugs (artist_id, slug, release_id)
    SELECT artist_id, slug, id FROM releases WHERE slug = 'news-' || id;
DELETE FROM release_slugs WHERE slug = 'news';

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE mail_prefs;
DROP TABLE announcements;
