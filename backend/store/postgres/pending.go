package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pendingTx is a transaction that holds back statements whose answer no
// one reads (an advisory lock, a SET LOCAL) and sends them in one round
// trip with the statement that follows, in order: a checkout's lock costs
// no wait of its own. Each still runs before anything after it.
type pendingTx struct {
	pgx.Tx
	pending []statement
}

type statement struct {
	sql  string
	args []any
}

// hold queues a statement to run before the next one.
func (p *pendingTx) hold(sql string, args ...any) {
	p.pending = append(p.pending, statement{sql, args})
}

// send starts a batch of the held statements and then sql; the caller
// reads sql's result and closes the batch.
func (p *pendingTx) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, s := range p.pending {
		b.Queue(s.sql, s.args...)
	}
	b.Queue(sql, args...)
	held := len(p.pending)
	p.pending = nil
	br := p.Tx.SendBatch(ctx, b)
	for range held {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

// flush runs the held statements, if any.
func (p *pendingTx) flush(ctx context.Context) error {
	for len(p.pending) > 0 {
		s := p.pending[0]
		p.pending = p.pending[1:]
		if _, err := p.Tx.Exec(ctx, s.sql, s.args...); err != nil {
			return err
		}
	}
	return nil
}

// Exec implements querier.
func (p *pendingTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.pending) == 0 {
		return p.Tx.Exec(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// QueryRow implements querier.
func (p *pendingTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.pending) == 0 {
		return p.Tx.QueryRow(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return &batchRow{row: br.QueryRow(), br: br}
}

// Query implements querier; held statements go first, on their own: no
// query that returns rows follows a lock in this package.
func (p *pendingTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.Tx.Query(ctx, sql, args...)
}

// Commit runs what is held, then commits.
func (p *pendingTx) Commit(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.Tx.Commit(ctx)
}

// batchRow is a row read from a batch, which it closes once scanned.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r *batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("batch: %w", cerr)
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
