-- +goose Up
-- Updates of a release that named the same audio twice left the replaced
-- track behind at a negative position. Its audio is still in the release
-- under the track that replaced it, so nothing a buyer owns is lost.
DELETE FROM tracks WHERE position < 1;

-- +goose Down
SELECT 1;
