package postgres

import (
	"context"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// tx is a write transaction; its reads go through the same transaction.
type tx struct {
	reader
	tx *pendingTx
}

var _ store.Tx = (*tx)(nil)

// reader answers questions over a pool or a transaction.
type reader struct {
	q querier
}

var _ store.Reader = reader{}

// accountLockClass is the class id of the two-int advisory locks on
// accounts; other advisory locks (migrations, uploads) use the one-bigint
// form or another class, whose keys never meet these.
const accountLockClass int32 = 0x4d42_0001

// Lock implements store.Tx with a transaction-scoped advisory lock, which
// the commit or rollback releases. The key is the account id's low 32
// bits: two accounts whose ids differ by a multiple of 2^32 share a lock,
// which only makes them wait for each other.
func (t *tx) Lock(ctx context.Context, accountID int64) error {
	// Sent with the next statement: nothing reads before it anyway.
	t.tx.hold(`SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, accountLockClass, int32(accountID))
	return nil
}

// ms is how the store keeps a time: UTC, to the millisecond.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// nullID stores 0 as NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// utc reads back a stored time as UTC; nil stays nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
