-- +goose Up
-- What each account stores plus what it is uploading, in bytes: the quota
-- check reads one row instead of summing every blob the account owns.
-- Triggers keep it in the statement that changes ownership or an upload,
-- whoever writes it. Deletes only update (an account being deleted loses
-- its row first, and must not get it back).
CREATE TABLE account_usage (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    used_bytes INTEGER NOT NULL DEFAULT 0
);
INSERT INTO account_usage (account_id, used_bytes)
SELECT a.id,
       COALESCE((SELECT SUM(b.size) FROM account_blobs ab JOIN blobs b ON b.sha256 = ab.sha256 WHERE ab.account_id = a.id), 0)
     + COALESCE((SELECT SUM(u.size) FROM uploads u WHERE u.account_id = a.id), 0)
FROM accounts a;

-- +goose StatementBegin
CREATE TRIGGER account_usage_new_account AFTER INSERT ON accounts BEGIN
    INSERT INTO account_usage (account_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_own AFTER INSERT ON account_blobs BEGIN
    INSERT INTO account_usage (account_id, used_bytes)
    VALUES (NEW.account_id, (SELECT size FROM blobs WHERE sha256 = NEW.sha256))
    ON CONFLICT (account_id) DO UPDATE SET used_bytes = used_bytes + excluded.used_bytes;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_disown AFTER DELETE ON account_blobs BEGIN
    UPDATE account_usage SET used_bytes = used_bytes - (SELECT size FROM blobs WHERE sha256 = OLD.sha256)
    WHERE account_id = OLD.account_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_reown AFTER UPDATE OF account_id, sha256 ON account_blobs BEGIN
    UPDATE account_usage SET used_bytes = used_bytes - (SELECT size FROM blobs WHERE sha256 = OLD.sha256)
    WHERE account_id = OLD.account_id;
    INSERT INTO account_usage (account_id, used_bytes)
    VALUES (NEW.account_id, (SELECT size FROM blobs WHERE sha256 = NEW.sha256))
    ON CONFLICT (account_id) DO UPDATE SET used_bytes = used_bytes + excluded.used_bytes;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_resize_blob AFTER UPDATE OF size ON blobs BEGIN
    UPDATE account_usage SET used_bytes = used_bytes + NEW.size - OLD.size
    WHERE account_id IN (SELECT account_id FROM account_blobs WHERE sha256 = NEW.sha256);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_begin_upload AFTER INSERT ON uploads BEGIN
    INSERT INTO account_usage (account_id, used_bytes) VALUES (NEW.account_id, NEW.size)
    ON CONFLICT (account_id) DO UPDATE SET used_bytes = used_bytes + excluded.used_bytes;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_end_upload AFTER DELETE ON uploads BEGIN
    UPDATE account_usage SET used_bytes = used_bytes - OLD.size WHERE account_id = OLD.account_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER account_usage_change_upload AFTER UPDATE OF account_id, size ON uploads BEGIN
    UPDATE account_usage SET used_bytes = used_bytes - OLD.size WHERE account_id = OLD.account_id;
    INSERT INTO account_usage (account_id, used_bytes) VALUES (NEW.account_id, NEW.size)
    ON CONFLICT (account_id) DO UPDATE SET used_bytes = used_bytes + excluded.used_bytes;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER account_usage_change_upload;
DROP TRIGGER account_usage_end_upload;
DROP TRIGGER account_usage_begin_upload;
DROP TRIGGER account_usage_resize_blob;
DROP TRIGGER account_usage_reown;
DROP TRIGGER account_usage_disown;
DROP TRIGGER account_usage_own;
DROP TRIGGER account_usage_new_account;
DROP TABLE account_usage;
