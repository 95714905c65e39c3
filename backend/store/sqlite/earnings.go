package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// EarningsService implements api.EarningsService.
type EarningsService struct {
	db       *DB
	provider string
}

var _ api.EarningsService = (*EarningsService)(nil)

// NewEarningsService returns the earnings service; provider names the
// ledger account payouts leave from.
func NewEarningsService(db *DB, provider string) *EarningsService {
	return &EarningsService{db: db, provider: provider}
}

// window is a validated filter in query terms.
type window struct {
	artist   int64
	currency string
	from, to int64 // millis, [from, to)
}

func (s *EarningsService) window(ctx context.Context, f api.EarningsFilter) (*window, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	w := &window{artist: c.Account.ID, currency: strings.ToUpper(f.Currency), from: math.MinInt64, to: math.MaxInt64}
	if w.currency == "" {
		w.currency = s.mainCurrency(ctx, c.Account.ID)
	} else if !api.ValidCurrency(w.currency) {
		return nil, api.FieldErrorf("currency", "must be one of %s", strings.Join(api.Currencies, ", "))
	}
	if !f.From.IsZero() {
		w.from = millis(f.From)
	}
	if !f.To.IsZero() {
		w.to = millis(f.To)
	}
	if w.from >= w.to {
		return nil, api.FieldErrorf("to", "must be after from")
	}
	return w, nil
}

// mainCurrency is the currency of the creator's latest sale, else of their
// latest release, else EUR.
func (s *EarningsService) mainCurrency(ctx context.Context, artist int64) string {
	var c string
	err := s.db.read.QueryRowContext(ctx, `SELECT currency FROM (
		SELECT currency, 1 AS k, id FROM purchases WHERE artist_id = ?1
		UNION ALL SELECT currency, 2, id FROM releases WHERE artist_id = ?1) ORDER BY k, id DESC LIMIT 1`, artist).Scan(&c)
	if err != nil {
		return "EUR"
	}
	return c
}

// Earnings implements api.EarningsService.
func (s *EarningsService) Earnings(ctx context.Context, f api.EarningsFilter) (*api.Earnings, error) {
	w, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	e := &api.Earnings{Currency: w.currency, Rows: []api.EarningsRow{}}
	if !f.From.IsZero() {
		e.From = &f.From
	}
	if !f.To.IsZero() {
		e.To = &f.To
	}
	if err := s.totals(ctx, w, &e.Totals); err != nil {
		return nil, err
	}
	switch f.Group {
	case "", api.GroupMonth:
		e.Rows, err = s.periodRows(ctx, w, "%Y-%m")
	case api.GroupDay:
		e.Rows, err = s.periodRows(ctx, w, "%Y-%m-%d")
	case api.GroupRelease, api.GroupTrack:
		e.Rows, err = s.releaseRows(ctx, w, f.Group == api.GroupTrack)
	default:
		return nil, api.FieldErrorf("group", "must be day, month, release or track")
	}
	return e, err
}

func (s *EarningsService) totals(ctx context.Context, w *window, t *api.EarningsTotals) error {
	err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(gross_cents), 0), COALESCE(SUM(creator_cents), 0), COALESCE(SUM(platform_cents), 0)
		FROM purchases WHERE artist_id = ? AND currency = ? AND created_at >= ? AND created_at < ?`, w.artist, w.currency, w.from, w.to).
		Scan(&t.Sales, &t.GrossCents, &t.CreatorCents, &t.PlatformCents)
	if err != nil {
		return fmt.Errorf("earnings totals: %w", err)
	}
	err = s.db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(f.amount_cents), 0) FROM refunds f JOIN purchases p ON p.id = f.purchase_id
		WHERE p.artist_id = ? AND p.currency = ? AND f.created_at >= ? AND f.created_at < ?`, w.artist, w.currency, w.from, w.to).Scan(&t.RefundedCents)
	if err != nil {
		return fmt.Errorf("earnings refunds: %w", err)
	}
	err = s.db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN state = 'paid' THEN amount_cents END), 0),
		COALESCE(SUM(CASE WHEN state = 'pending' THEN amount_cents END), 0) FROM payouts WHERE artist_id = ? AND currency = ?`,
		w.artist, w.currency).Scan(&t.PaidOutCents, &t.PendingPayoutCents)
	if err != nil {
		return fmt.Errorf("earnings payouts: %w", err)
	}
	t.AvailableCents, err = creatorBalance(ctx, s.db.read, w.artist, w.currency)
	return err
}

// periodRows groups sales and refunds by UTC day or month.
func (s *EarningsService) periodRows(ctx context.Context, w *window, format string) ([]api.EarningsRow, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT period, SUM(sales), SUM(gross), SUM(creator), SUM(platform), SUM(refunded) FROM (
		SELECT strftime(?1, created_at / 1000, 'unixepoch') AS period, 1 AS sales, gross_cents AS gross, creator_cents AS creator,
			platform_cents AS platform, 0 AS refunded
		FROM purchases WHERE artist_id = ?2 AND currency = ?3 AND created_at >= ?4 AND created_at < ?5
		UNION ALL
		SELECT strftime(?1, f.created_at / 1000, 'unixepoch'), 0, 0, 0, 0, f.amount_cents
		FROM refunds f JOIN purchases p ON p.id = f.purchase_id
		WHERE p.artist_id = ?2 AND p.currency = ?3 AND f.created_at >= ?4 AND f.created_at < ?5)
		GROUP BY period ORDER BY period`, format, w.artist, w.currency, w.from, w.to)
	if err != nil {
		return nil, fmt.Errorf("earnings by period: %w", err)
	}
	defer rows.Close()
	out := []api.EarningsRow{}
	for rows.Next() {
		var r api.EarningsRow
		if err := rows.Scan(&r.Period, &r.Sales, &r.GrossCents, &r.CreatorCents, &r.PlatformCents, &r.RefundedCents); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// releaseRows groups by release. Sales are of whole releases, so with
// byTrack each release reads as one "whole release" line.
func (s *EarningsService) releaseRows(ctx context.Context, w *window, byTrack bool) ([]api.EarningsRow, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT r.id, r.title, COUNT(p.id), COALESCE(SUM(p.gross_cents), 0), COALESCE(SUM(p.creator_cents), 0),
		COALESCE(SUM(p.platform_cents), 0), COALESCE(SUM((SELECT SUM(amount_cents) FROM refunds f WHERE f.purchase_id = p.id AND f.created_at >= ?3 AND f.created_at < ?4)), 0)
		FROM purchases p JOIN releases r ON r.id = p.release_id
		WHERE p.artist_id = ?1 AND p.currency = ?2 AND p.created_at >= ?3 AND p.created_at < ?4
		GROUP BY r.id ORDER BY SUM(p.gross_cents) DESC, r.id`, w.artist, w.currency, w.from, w.to)
	if err != nil {
		return nil, fmt.Errorf("earnings by release: %w", err)
	}
	defer rows.Close()
	out := []api.EarningsRow{}
	for rows.Next() {
		var r api.EarningsRow
		if err := rows.Scan(&r.ReleaseID, &r.ReleaseTitle, &r.Sales, &r.GrossCents, &r.CreatorCents, &r.PlatformCents, &r.RefundedCents); err != nil {
			return nil, err
		}
		if byTrack {
			r.TrackTitle = "whole release"
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Statement implements api.EarningsService.
func (s *EarningsService) Statement(ctx context.Context, f api.EarningsFilter) ([]api.StatementLine, error) {
	w, err := s.window(ctx, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT * FROM (
		SELECT p.created_at, 'sale', 'P' || p.id, r.id, r.title, a.display_name, p.gross_cents, p.platform_cents, p.creator_cents
		FROM purchases p JOIN releases r ON r.id = p.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE p.artist_id = ?1 AND p.currency = ?2 AND p.created_at >= ?3 AND p.created_at < ?4
		UNION ALL
		SELECT f.created_at, 'refund', 'R' || f.id, r.id, r.title, a.display_name, -f.amount_cents, -f.platform_cents, -f.creator_cents
		FROM refunds f JOIN purchases p ON p.id = f.purchase_id JOIN releases r ON r.id = p.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE p.artist_id = ?1 AND p.currency = ?2 AND f.created_at >= ?3 AND f.created_at < ?4
		UNION ALL
		SELECT o.created_at, 'payout', 'O' || o.id, 0, '', '', 0, 0, -o.amount_cents
		FROM payouts o WHERE o.artist_id = ?1 AND o.currency = ?2 AND o.created_at >= ?3 AND o.created_at < ?4)
		ORDER BY 1, 3`, w.artist, w.currency, w.from, w.to)
	if err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	defer rows.Close()
	var out []api.StatementLine
	for rows.Next() {
		l := api.StatementLine{Currency: w.currency}
		var at int64
		if err := rows.Scan(&at, &l.Type, &l.ID, &l.ReleaseID, &l.Release, &l.Fan, &l.GrossCents, &l.PlatformCents, &l.CreatorCents); err != nil {
			return nil, err
		}
		l.Date = fromMillis(at)
		if l.Type != "payout" {
			l.Track = "whole release"
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Fans implements api.EarningsService.
func (s *EarningsService) Fans(ctx context.Context) (*api.FanList, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT a.id, a.display_name, CASE WHEN MAX(x.share) = 1 THEN a.email ELSE '' END,
		COALESCE(MAX(x.currency), ''), COALESCE(SUM(x.net), 0), COALESCE(SUM(x.bought), 0), MIN(x.at), MAX(x.at), MAX(x.follower)
		FROM (
			SELECT p.fan_id AS fan, p.currency, p.gross_cents - (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id) AS net,
				1 AS bought, p.created_at AS at, p.share_email AS share, 0 AS follower
			FROM purchases p WHERE p.artist_id = ?1
			UNION ALL
			SELECT fan_id, NULL, 0, 0, NULL, 0, 1 FROM follows WHERE artist_id = ?1
		) x JOIN accounts a ON a.id = x.fan
		GROUP BY a.id ORDER BY 5 DESC, a.id`, c.Account.ID)
	if err != nil {
		return nil, fmt.Errorf("fans: %w", err)
	}
	defer rows.Close()
	list := &api.FanList{Items: []api.Fan{}}
	for rows.Next() {
		var f api.Fan
		var first, last sql.NullInt64
		if err := rows.Scan(&f.AccountID, &f.DisplayName, &f.Email, &f.Currency, &f.TotalCents, &f.Purchases, &first, &last, &f.Follower); err != nil {
			return nil, err
		}
		if first.Valid {
			t1, t2 := fromMillis(first.Int64), fromMillis(last.Int64)
			f.FirstPurchaseAt, f.LastPurchaseAt = &t1, &t2
		}
		list.Items = append(list.Items, f)
	}
	return list, rows.Err()
}

// Follow implements api.EarningsService.
func (s *EarningsService) Follow(ctx context.Context, artistID int64) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var creator bool
		err := tx.QueryRowContext(ctx, `SELECT creator FROM accounts WHERE id = ?`, artistID).Scan(&creator)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !creator) {
			return api.Errorf(api.ENOTFOUND, "artist %d not found", artistID)
		} else if err != nil {
			return err
		}
		if artistID == c.Account.ID {
			return api.Errorf(api.ECONFLICT, "you cannot follow yourself")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO follows (fan_id, artist_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			c.Account.ID, artistID, millis(s.db.now()))
		return err
	})
}

// Unfollow implements api.EarningsService.
func (s *EarningsService) Unfollow(ctx context.Context, artistID int64) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM follows WHERE fan_id = ? AND artist_id = ?`, c.Account.ID, artistID)
		return err
	})
}
