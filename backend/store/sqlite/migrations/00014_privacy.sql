-- +goose Up
-- When an account was deleted at its owner's request: it keeps its id (its
-- sales, refunds and payouts stay in the books) but nothing that names
-- its owner.
ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;
CREATE INDEX gifts_claimed_by ON gifts(claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX codes_redeemed_by ON codes(redeemed_by) WHERE redeemed_by IS NOT NULL;

-- +goose Down
DROP INDEX codes_redeemed_by;
DROP INDEX gifts_claimed_by;
ALTER TABLE accounts DROP COLUMN deleted_at;
