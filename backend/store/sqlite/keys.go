package sqlite

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"

	"github.com/megabox-fm/megabox/backend/receipt"
)

// activeReceiptKey returns the key new receipts are signed with, making
// the first one on first use.
func (db *DB) activeReceiptKey(ctx context.Context) (receipt.Key, error) {
	var k receipt.Key
	var priv []byte
	err := db.read.QueryRowContext(ctx, `SELECT kid, private_key FROM receipt_keys WHERE active = 1`).Scan(&k.ID, &priv)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.RotateReceiptKey(ctx); err != nil {
			return k, err
		}
		return db.activeReceiptKey(ctx)
	} else if err != nil {
		return k, fmt.Errorf("receipt key: %w", err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return k, errors.New("receipt key: stored private key is damaged")
	}
	k.Private = priv
	return k, nil
}

// RotateReceiptKey makes a new signing key active. Old keys stay published
// so every receipt ever issued still verifies.
func (db *DB) RotateReceiptKey(ctx context.Context) (string, error) {
	k, err := receipt.NewKey()
	if err != nil {
		return "", err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE receipt_keys SET active = 0`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO receipt_keys (kid, private_key, public_key, active, created_at) VALUES (?, ?, ?, 1, ?)`,
			k.ID, []byte(k.Private), []byte(k.Public()), millis(db.now()))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("rotate receipt key: %w", err)
	}
	return k.ID, nil
}

// ReceiptKeySet returns every public key receipts were ever signed with.
func (db *DB) ReceiptKeySet(ctx context.Context) (receipt.KeySet, error) {
	if _, err := db.activeReceiptKey(ctx); err != nil {
		return receipt.KeySet{}, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT kid, public_key FROM receipt_keys ORDER BY created_at DESC`)
	if err != nil {
		return receipt.KeySet{}, err
	}
	defer rows.Close()
	set := receipt.KeySet{Keys: []receipt.JWK{}}
	for rows.Next() {
		var kid string
		var pub []byte
		if err := rows.Scan(&kid, &pub); err != nil {
			return set, err
		}
		set.Keys = append(set.Keys, receipt.PublicJWK(kid, pub))
	}
	return set, rows.Err()
}
