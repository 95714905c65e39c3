package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// bounds turns a window's times into query bounds; a zero time is an open
// side (minus or plus infinity), so the index range stays one range.
func bounds(w store.Window) (from, to pgtype.Timestamptz) {
	from = pgtype.Timestamptz{Time: w.From, Valid: true}
	if w.From.IsZero() {
		from = pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	to = pgtype.Timestamptz{Time: w.To, Valid: true}
	if w.To.IsZero() {
		to = pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return from, to
}

// MainCurrency implements store.Reader.
func (r reader) MainCurrency(ctx context.Context, artistID int64) (string, error) {
	var c string
	err := r.q.QueryRow(ctx, `SELECT COALESCE(
		(SELECT currency FROM purchases WHERE artist_id = $1 ORDER BY id DESC LIMIT 1),
		(SELECT currency FROM sale_shares WHERE account_id = $1 ORDER BY created_at DESC LIMIT 1),
		(SELECT currency FROM releases WHERE artist_id = $1 ORDER BY id DESC LIMIT 1), '')`, artistID).Scan(&c)
	return c, wrap("main currency", err)
}

// periodSQL groups a creator's sales and refunds in a window by UTC month
// or day ($5): $1 artist, $2 currency, [$3, $4) the window. Each side is
// one range of its (artist_id, currency, created_at) index, read without
// the table; the periods are joined so a period with refunds only has a
// row too.
const periodSQL = `WITH s AS (
		SELECT date_trunc($5, created_at AT TIME ZONE 'UTC') AS period, COUNT(*) AS sales,
			SUM(gross_cents) AS gross, SUM(cents) AS creator, SUM(platform_cents) AS platform
		FROM sale_shares WHERE account_id = $1 AND currency = $2 AND created_at >= $3 AND created_at < $4 GROUP BY 1),
	f AS (
		SELECT date_trunc($5, created_at AT TIME ZONE 'UTC') AS period, SUM(amount_cents) AS refunded
		FROM refund_shares WHERE account_id = $1 AND currency = $2 AND created_at >= $3 AND created_at < $4 GROUP BY 1)
	SELECT period, COALESCE(s.sales, 0), COALESCE(s.gross, 0)::int8, COALESCE(s.creator, 0)::int8, COALESCE(s.platform, 0)::int8,
		COALESCE(f.refunded, 0)::int8
	FROM s FULL JOIN f USING (period) ORDER BY period`

// EarningsByPeriod implements store.Reader.
func (r reader) EarningsByPeriod(ctx context.Context, w store.Window, byDay bool) ([]api.EarningsRow, int64, error) {
	unit, layout := "month", "2006-01"
	if byDay {
		unit, layout = "day", "2006-01-02"
	}
	from, to := bounds(w)
	rows, err := r.q.Query(ctx, periodSQL, w.ArtistID, w.Currency, from, to, unit)
	if err != nil {
		return nil, 0, wrap("earnings by period", err)
	}
	out := []api.EarningsRow{}
	var refunded int64
	var period time.Time
	var row api.EarningsRow
	_, err = pgx.ForEachRow(rows, []any{&period, &row.Sales, &row.GrossCents, &row.CreatorCents, &row.PlatformCents, &row.RefundedCents}, func() error {
		row.Period = period.Format(layout)
		refunded += row.RefundedCents
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, 0, wrap("earnings by period", err)
	}
	return out, refunded, nil
}

// releaseSQL groups a creator's sales in a window by release, biggest
// gross first, each with the refunds in the window of those sales; same
// parameters as periodSQL but $5. Titles are looked up per release sold
// (by primary key), never by scanning all releases.
const releaseSQL = `WITH s AS (
		SELECT release_id, COUNT(*) AS sales, SUM(gross_cents) AS gross, SUM(cents) AS creator, SUM(platform_cents) AS platform
		FROM sale_shares WHERE account_id = $1 AND currency = $2 AND created_at >= $3 AND created_at < $4 GROUP BY release_id),
	f AS (
		SELECT p.release_id, SUM(f.amount_cents) AS refunded
		FROM refund_shares f JOIN purchases p ON p.id = f.purchase_id
		WHERE f.account_id = $1 AND f.currency = $2 AND f.created_at >= $3 AND f.created_at < $4
			AND p.created_at >= $3 AND p.created_at < $4
		GROUP BY p.release_id)
	SELECT s.release_id, (SELECT r.title FROM releases r WHERE r.id = s.release_id),
		s.sales, s.gross::int8, s.creator::int8, s.platform::int8, COALESCE(f.refunded, 0)::int8
	FROM s LEFT JOIN f ON f.release_id = s.release_id
	ORDER BY s.gross DESC, s.release_id`

// EarningsByRelease implements store.Reader.
func (r reader) EarningsByRelease(ctx context.Context, w store.Window) ([]api.EarningsRow, int64, error) {
	from, to := bounds(w)
	rows, err := r.q.Query(ctx, releaseSQL, w.ArtistID, w.Currency, from, to)
	if err != nil {
		return nil, 0, wrap("earnings by release", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.EarningsRow, error) {
		var e api.EarningsRow
		return e, row.Scan(&e.ReleaseID, &e.ReleaseTitle, &e.Sales, &e.GrossCents, &e.CreatorCents, &e.PlatformCents, &e.RefundedCents)
	})
	if err != nil {
		return nil, 0, wrap("earnings by release", err)
	}
	var refunded int64
	err = r.q.QueryRow(ctx, `SELECT COALESCE(SUM(amount_cents), 0)::int8 FROM refund_shares
		WHERE account_id = $1 AND currency = $2 AND created_at >= $3 AND created_at < $4`, w.ArtistID, w.Currency, from, to).Scan(&refunded)
	if err != nil {
		return nil, 0, wrap("earnings refunds", err)
	}
	return out, refunded, nil
}

// Balances implements store.Reader, in one statement.
func (r reader) Balances(ctx context.Context, w store.Window) (paid, pending, available, disputed int64, err error) {
	err = r.q.QueryRow(ctx, `SELECT
		(SELECT COALESCE(SUM(amount_cents) FILTER (WHERE state = 'paid'), 0)::int8 FROM payouts WHERE artist_id = $1 AND currency = $2),
		(SELECT COALESCE(SUM(amount_cents) FILTER (WHERE state = 'pending'), 0)::int8 FROM payouts WHERE artist_id = $1 AND currency = $2),
		(SELECT -COALESCE(SUM(amount_cents), 0)::int8 FROM postings WHERE account = $3 AND currency = $2),
		(`+disputedSQL+`)`,
		w.ArtistID, w.Currency, ledger.CreatorAccount(w.ArtistID)).Scan(&paid, &pending, &available, &disputed)
	return paid, pending, available, disputed, wrap("balances", err)
}

// statementSQL lists a creator's sales, refunds and payouts in a window,
// oldest first; refunds and payouts are negative.
const statementSQL = `SELECT * FROM (
		SELECT s.created_at AS at, 'sale' AS type, 'P' || s.purchase_id AS id, r.id AS release_id, r.title, a.display_name,
			s.gross_cents, s.platform_cents, s.cents
		FROM sale_shares s JOIN purchases p ON p.id = s.purchase_id JOIN releases r ON r.id = s.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE s.account_id = $1 AND s.currency = $2 AND s.created_at >= $3 AND s.created_at < $4
		UNION ALL
		SELECT x.created_at, 'refund', 'R' || f.id, r.id, r.title, a.display_name, -f.amount_cents, -f.platform_cents, -x.cents
		FROM refund_shares x JOIN refunds f ON f.id = x.refund_id JOIN purchases p ON p.id = x.purchase_id
			JOIN releases r ON r.id = p.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE x.account_id = $1 AND x.currency = $2 AND x.created_at >= $3 AND x.created_at < $4
		UNION ALL
		SELECT o.created_at, 'payout', 'O' || o.id, 0, '', '', 0, 0, -o.amount_cents
		FROM payouts o WHERE o.artist_id = $1 AND o.currency = $2 AND o.created_at >= $3 AND o.created_at < $4) x
	ORDER BY at, id COLLATE "C"`

// Statement implements store.Reader.
func (r reader) Statement(ctx context.Context, w store.Window) ([]api.StatementLine, error) {
	from, to := bounds(w)
	rows, err := r.q.Query(ctx, statementSQL, w.ArtistID, w.Currency, from, to)
	if err != nil {
		return nil, wrap("statement", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.StatementLine, error) {
		l := api.StatementLine{Currency: w.Currency}
		err := row.Scan(&l.Date, &l.Type, &l.ID, &l.ReleaseID, &l.Release, &l.Fan, &l.GrossCents, &l.PlatformCents, &l.CreatorCents)
		l.Date = l.Date.UTC()
		return l, err
	})
	return out, wrap("statement", err)
}

// fansSQL: a creator's buyers and followers, biggest supporters first;
// the email only of buyers who shared it.
// A fan's address shows when they share it: their latest choice for this
// artist, else what they chose at a purchase.
const fansSQL = `SELECT a.id, a.display_name,
		CASE WHEN COALESCE((SELECT share_email FROM mail_prefs WHERE artist_id = $1 AND fan_id = a.id), bool_or(x.share))
			THEN a.email ELSE '' END,
		COALESCE(MAX(x.currency), ''), COALESCE(SUM(x.net), 0)::int8, COUNT(x.at), MIN(x.at), MAX(x.at), bool_or(x.follower)
	FROM (
		SELECT p.fan_id AS fan, p.currency, p.gross_cents - ` + refundedSQL + ` AS net,
			p.created_at AS at, p.share_email AS share, false AS follower
		FROM purchases p WHERE p.artist_id = $1
		UNION ALL
		SELECT fan_id, NULL, 0, NULL, false, true FROM follows WHERE artist_id = $1
	) x JOIN accounts a ON a.id = x.fan
	GROUP BY a.id ORDER BY 5 DESC, a.id`

// Fans implements store.Reader.
func (r reader) Fans(ctx context.Context, artistID int64) ([]api.Fan, error) {
	rows, err := r.q.Query(ctx, fansSQL, artistID)
	if err != nil {
		return nil, wrap("fans", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (api.Fan, error) {
		var f api.Fan
		err := row.Scan(&f.AccountID, &f.DisplayName, &f.Email, &f.Currency, &f.TotalCents, &f.Purchases, &f.FirstPurchaseAt, &f.LastPurchaseAt, &f.Follower)
		f.FirstPurchaseAt, f.LastPurchaseAt = utc(f.FirstPurchaseAt), utc(f.LastPurchaseAt)
		return f, err
	})
	return out, wrap("fans", err)
}
