package postgres

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/receipt"
)

// InsertReceiptKey implements store.Tx. Nodes making a key at once (the
// first sale on each) take turns, so each retires the key before it, and
// one key stays active.
func (t *tx) InsertReceiptKey(ctx context.Context, k receipt.Key, now time.Time) error {
	if _, err := t.tx.Exec(ctx, `LOCK TABLE receipt_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return wrap("receipt key", err)
	}
	if _, err := t.tx.Exec(ctx, `UPDATE receipt_keys SET active = false WHERE active`); err != nil {
		return wrap("receipt key", err)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO receipt_keys (kid, private_key, public_key, active, created_at) VALUES ($1, $2, $3, true, $4)`,
		k.ID, []byte(k.Private), []byte(k.Public()), ms(now))
	return wrap("receipt key", err)
}

// ActiveReceiptKey implements store.Reader; ErrNotFound before the first
// key is made.
func (r reader) ActiveReceiptKey(ctx context.Context) (receipt.Key, error) {
	var k receipt.Key
	var priv []byte
	if err := r.q.QueryRow(ctx, `SELECT kid, private_key FROM receipt_keys WHERE active`).Scan(&k.ID, &priv); err != nil {
		return receipt.Key{}, wrap("receipt key", err)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return receipt.Key{}, errors.New("receipt key: stored private key is damaged")
	}
	k.Private = priv
	return k, nil
}

// ReceiptPublicKeys implements store.Reader.
func (r reader) ReceiptPublicKeys(ctx context.Context) ([]receipt.JWK, error) {
	rows, err := r.q.Query(ctx, `SELECT kid, public_key FROM receipt_keys ORDER BY created_at DESC, seq DESC`)
	if err != nil {
		return nil, wrap("receipt keys", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (receipt.JWK, error) {
		var kid string
		var pub []byte
		err := row.Scan(&kid, &pub)
		return receipt.PublicJWK(kid, pub), err
	})
	return keys, wrap("receipt keys", err)
}
