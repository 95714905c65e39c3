package cache

import (
	"context"
	"fmt"
	"time"
)

// PendingPlay is a play heard but not yet reported.
type PendingPlay struct {
	ID      int64
	TrackID int64
	HeardAt time.Time
}

// QueuePlay keeps a play to report later.
func (c *Cache) QueuePlay(ctx context.Context, trackID int64, at time.Time) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO pending_plays (track_id, heard_at) VALUES (?, ?)`, trackID, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("queue play: %w", err)
	}
	return nil
}

// PendingPlays lists up to limit plays to report, oldest first.
func (c *Cache) PendingPlays(ctx context.Context, limit int) ([]PendingPlay, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, track_id, heard_at FROM pending_plays ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending plays: %w", err)
	}
	defer rows.Close()
	var out []PendingPlay
	for rows.Next() {
		var p PendingPlay
		var ms int64
		if err := rows.Scan(&p.ID, &p.TrackID, &ms); err != nil {
			return nil, fmt.Errorf("pending plays: %w", err)
		}
		p.HeardAt = time.UnixMilli(ms).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// DeletePlay forgets a play once reported (or refused for good).
func (c *Cache) DeletePlay(ctx context.Context, id int64) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM pending_plays WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete play: %w", err)
	}
	return nil
}
