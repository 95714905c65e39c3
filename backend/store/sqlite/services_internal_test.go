package sqlite

import (
	"context"
	"database/sql"

	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
)

// servicesOf returns the platform's services over db.
func servicesOf(db *DB) *service.Services {
	return service.New(db, auth.NewHasher(auth.DefaultParams, auth.Limits{}), payment.NewSandbox())
}

// writeTx runs fn in a raw write transaction, for seeding rows directly.
func writeTx(ctx context.Context, db *DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
