package sqlite

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/megabox-fm/megabox/backend/receipt"
)

// ActiveReceiptKey implements store.Reader.
func (r reader) ActiveReceiptKey(ctx context.Context) (receipt.Key, error) {
	var k receipt.Key
	var priv []byte
	err := r.q.QueryRowContext(ctx, `SELECT kid, private_key FROM receipt_keys WHERE active = 1`).Scan(&k.ID, &priv)
	if err != nil {
		return k, none(err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return k, errors.New("receipt key: stored private key is damaged")
	}
	k.Private = priv
	return k, nil
}

// ReceiptPublicKeys implements store.Reader: newest first, the rowid
// ordering keys made in the same millisecond.
func (r reader) ReceiptPublicKeys(ctx context.Context) ([]receipt.JWK, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT kid, public_key FROM receipt_keys ORDER BY created_at DESC, rowid DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []receipt.JWK{}
	for rows.Next() {
		var kid string
		var pub []byte
		if err := rows.Scan(&kid, &pub); err != nil {
			return nil, err
		}
		keys = append(keys, receipt.PublicJWK(kid, pub))
	}
	return keys, rows.Err()
}

// InsertReceiptKey implements store.Tx.
func (t *tx) InsertReceiptKey(ctx context.Context, k receipt.Key, now time.Time) error {
	if err := t.exec(ctx, `UPDATE receipt_keys SET active = 0`); err != nil {
		return err
	}
	return t.exec(ctx, `INSERT INTO receipt_keys (kid, private_key, public_key, active, created_at) VALUES (?, ?, ?, 1, ?)`,
		k.ID, []byte(k.Private), []byte(k.Public()), millis(now))
}
