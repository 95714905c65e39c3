-- +goose Up
-- The code of the problem a decode found in audio (api.Problem*), beside
-- its text: clients say it in their own words. Analyses recorded before
-- carry one of the two texts the platform wrote then.
ALTER TABLE audio_analyses ADD COLUMN problem_code text NOT NULL DEFAULT '';
UPDATE audio_analyses SET problem_code = 'flac_checksum'
    WHERE problem = 'the FLAC''s decoded audio does not match the MD5 checksum in its header, so the file is damaged: encode it again from the original and upload that';
UPDATE audio_analyses SET problem_code = 'undecodable'
    WHERE problem = 'the audio cannot be decoded to its end, so the file is damaged: upload a good copy';

-- +goose Down
ALTER TABLE audio_analyses DROP COLUMN problem_code;
