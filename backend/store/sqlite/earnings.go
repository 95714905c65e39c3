package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
)

// window is a store.Window in query terms.
type window struct {
	artist   int64
	currency string
	from, to int64 // millis, [from, to)
}

func windowOf(w store.Window) *window {
	q := &window{artist: w.ArtistID, currency: w.Currency, from: math.MinInt64, to: math.MaxInt64}
	if !w.From.IsZero() {
		q.from = millis(w.From)
	}
	if !w.To.IsZero() {
		q.to = millis(w.To)
	}
	return q
}

// MainCurrency implements store.Reader.
func (r reader) MainCurrency(ctx context.Context, artist int64) (string, error) {
	var c sql.NullString
	// A payee's latest sale, theirs or shared with them, else their latest
	// release: each is one descending index range.
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(
		(SELECT currency FROM purchases WHERE artist_id = ?1 ORDER BY id DESC LIMIT 1),
		(SELECT s.currency FROM sale_shares s WHERE s.account_id = ?1 ORDER BY s.created_at DESC LIMIT 1),
		(SELECT currency FROM releases WHERE artist_id = ?1 ORDER BY id DESC LIMIT 1))`, artist).Scan(&c)
	if err == nil && !c.Valid {
		return "", nil
	}
	return c.String, err
}

// The UTC period keys of a row, spelled exactly as in the indexes of
// migration 00004 so SQLite reads them from the index instead of calling
// strftime per row: monthKey is YYYYMM, dayKey the day of the month.
const (
	monthKey  = `CAST(strftime('%Y%m', created_at / 1000, 'unixepoch') AS INTEGER)`
	dayKey    = `CAST(strftime('%d', created_at / 1000, 'unixepoch') AS INTEGER)`
	fMonthKey = `CAST(strftime('%Y%m', f.created_at / 1000, 'unixepoch') AS INTEGER)`
	fDayKey   = `CAST(strftime('%d', f.created_at / 1000, 'unixepoch') AS INTEGER)`
)

// monthOf is monthKey computed in Go: SQLite's created_at / 1000 also
// truncates toward zero.
func monthOf(ms int64) int64 {
	t := time.Unix(ms/1000, 0).UTC()
	return int64(t.Year())*100 + int64(t.Month())
}

// months bounds the window by month keys, so a query seeks the period
// index to the window instead of reading all of a creator's sales.
func (w *window) months() (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if w.from != math.MinInt64 {
		lo = monthOf(w.from)
	}
	if w.to != math.MaxInt64 {
		hi = monthOf(w.to - 1) // to is exclusive
	}
	return lo, hi
}

// balancesSQL: payouts and the ledger balance of artist ?1 in currency ?2,
// whose ledger account is ?3, in one statement.
const balancesSQL = `SELECT
	(SELECT COALESCE(SUM(CASE WHEN state = 'paid' THEN amount_cents END), 0) FROM payouts WHERE artist_id = ?1 AND currency = ?2),
	(SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN amount_cents END), 0) FROM payouts WHERE artist_id = ?1 AND currency = ?2),
	(SELECT -COALESCE(SUM(amount_cents), 0) FROM postings WHERE account = ?3 AND currency = ?2),
	(` + disputedSQL + `)`

// Balances implements store.Reader.
func (r reader) Balances(ctx context.Context, sw store.Window) (paid, pending, available, disputed int64, err error) {
	ctx, err = shortRead(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	err = r.q.QueryRowContext(ctx, balancesSQL, sw.ArtistID, sw.Currency, ledger.CreatorAccount(sw.ArtistID)).
		Scan(&paid, &pending, &available, &disputed)
	return paid, pending, available, disputed, err
}

// periodQueries returns the queries for sales and for refunds by month or
// day: ?1 artist, ?2 currency, ?3 and ?4 the window, ?5 and ?6 its months.
// Both read the period indexes in period order, so neither sorts sales.
func periodQueries(byDay bool) (sales, refunds string) {
	day, fDay, keys := `0`, `0`, `1`
	if byDay {
		day, fDay, keys = dayKey, fDayKey, `1, 2`
	}
	sales = `SELECT ` + monthKey + `, ` + day + `, COUNT(*), SUM(gross_cents), SUM(cents), SUM(platform_cents)
		FROM sale_shares WHERE account_id = ?1 AND currency = ?2 AND ` + monthKey + ` BETWEEN ?5 AND ?6 AND created_at >= ?3 AND created_at < ?4
		GROUP BY ` + keys + ` ORDER BY ` + keys
	refunds = `SELECT ` + fMonthKey + `, ` + fDay + `, SUM(f.amount_cents)
		FROM refund_shares f WHERE f.account_id = ?1 AND f.currency = ?2 AND ` + fMonthKey + ` BETWEEN ?5 AND ?6 AND f.created_at >= ?3 AND f.created_at < ?4
		GROUP BY ` + keys + ` ORDER BY ` + keys
	return sales, refunds
}

// EarningsByPeriod groups sales and refunds by UTC month, or by UTC day, and
// sums the refunds: in this grouping a refund counts by when it happened,
// whenever the sale was.
//
// EarningsByPeriod implements store.Reader.
func (r reader) EarningsByPeriod(ctx context.Context, sw store.Window, byDay bool) ([]api.EarningsRow, int64, error) {
	ctx, err := shortRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	w := windowOf(sw)
	lo, hi := w.months()
	salesSQL, refundsSQL := periodQueries(byDay)
	sales, err := r.scanPeriods(ctx, salesSQL, func(r *api.EarningsRow) []any {
		return []any{&r.Sales, &r.GrossCents, &r.CreatorCents, &r.PlatformCents}
	}, w.artist, w.currency, w.from, w.to, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("earnings by period: %w", err)
	}
	refunds, err := r.scanPeriods(ctx, refundsSQL, func(r *api.EarningsRow) []any {
		return []any{&r.RefundedCents}
	}, w.artist, w.currency, w.from, w.to, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("earnings refunds by period: %w", err)
	}
	var refunded int64
	for _, r := range refunds {
		refunded += r.RefundedCents
	}
	return mergePeriods(sales, refunds), refunded, nil
}

// scanPeriods runs a query whose rows start with a month and a day key;
// fields names where the rest of a row goes.
func (r reader) scanPeriods(ctx context.Context, query string, fields func(*api.EarningsRow) []any, args ...any) ([]api.EarningsRow, error) {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.EarningsRow{}
	for rows.Next() {
		var row api.EarningsRow
		var month, day int64
		if err := rows.Scan(append([]any{&month, &day}, fields(&row)...)...); err != nil {
			return nil, err
		}
		row.Period = periodName(month, day)
		out = append(out, row)
	}
	return out, rows.Err()
}

// periodName formats a period key as YYYY-MM, or YYYY-MM-DD for a day.
func periodName(month, day int64) string {
	b := make([]byte, 0, 10)
	b = appendDigits(b, month/100, 4)
	b = append(b, '-')
	b = appendDigits(b, month%100, 2)
	if day > 0 {
		b = append(b, '-')
		b = appendDigits(b, day, 2)
	}
	return string(b)
}

func appendDigits(b []byte, n int64, width int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// mergePeriods adds refunds to the sales rows of their period, both sorted
// by period; a period with refunds only gets a row of its own.
func mergePeriods(sales, refunds []api.EarningsRow) []api.EarningsRow {
	if len(refunds) == 0 {
		return sales
	}
	out := make([]api.EarningsRow, 0, len(sales)+len(refunds))
	i, j := 0, 0
	for i < len(sales) || j < len(refunds) {
		switch {
		case j == len(refunds) || (i < len(sales) && sales[i].Period < refunds[j].Period):
			out = append(out, sales[i])
			i++
		case i == len(sales) || refunds[j].Period < sales[i].Period:
			out = append(out, refunds[j])
			j++
		default:
			r := sales[i]
			r.RefundedCents += refunds[j].RefundedCents
			out = append(out, r)
			i, j = i+1, j+1
		}
	}
	return out
}

// releaseSalesSQL: ?1 artist, ?2 currency, ?3 and ?4 the window, ?5 and ?6
// its months. Sales are summed per release before the titles are joined.
const releaseSalesSQL = `SELECT r.id, r.title, x.sales, x.gross, x.creator, x.platform
	FROM (SELECT release_id, COUNT(*) AS sales, SUM(gross_cents) AS gross, SUM(cents) AS creator, SUM(platform_cents) AS platform
		FROM sale_shares WHERE account_id = ?1 AND currency = ?2 AND ` + monthKey + ` BETWEEN ?5 AND ?6 AND created_at >= ?3 AND created_at < ?4
		GROUP BY release_id) x
	JOIN releases r ON r.id = x.release_id
	ORDER BY x.gross DESC, r.id`

// releaseRefundsSQL: refunds in the window per release, all of them and
// those of sales in the window; same parameters as releaseSalesSQL.
const releaseRefundsSQL = `SELECT p.release_id, SUM(f.amount_cents), SUM(CASE WHEN p.created_at >= ?3 AND p.created_at < ?4 THEN f.amount_cents ELSE 0 END)
	FROM refund_shares f JOIN purchases p ON p.id = f.purchase_id
	WHERE f.account_id = ?1 AND f.currency = ?2 AND ` + fMonthKey + ` BETWEEN ?5 AND ?6 AND f.created_at >= ?3 AND f.created_at < ?4
	GROUP BY p.release_id`

// EarningsByRelease implements store.Reader: sales in the window by
// release, and refunds in the window of those sales; it also sums all
// refunds in the window.
func (r reader) EarningsByRelease(ctx context.Context, sw store.Window) ([]api.EarningsRow, int64, error) {
	ctx, err := shortRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	w := windowOf(sw)
	refunds, refunded, err := r.releaseRefunds(ctx, w)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := w.months()
	rows, err := r.q.QueryContext(ctx, releaseSalesSQL, w.artist, w.currency, w.from, w.to, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("earnings by release: %w", err)
	}
	defer rows.Close()
	out := []api.EarningsRow{}
	for rows.Next() {
		var row api.EarningsRow
		if err := rows.Scan(&row.ReleaseID, &row.ReleaseTitle, &row.Sales, &row.GrossCents, &row.CreatorCents, &row.PlatformCents); err != nil {
			return nil, 0, err
		}
		row.RefundedCents = refunds[row.ReleaseID]
		out = append(out, row)
	}
	return out, refunded, rows.Err()
}

// releaseRefunds returns refunds of sales in the window per release, and
// the sum of all refunds in the window.
func (r reader) releaseRefunds(ctx context.Context, w *window) (map[int64]int64, int64, error) {
	lo, hi := w.months()
	rows, err := r.q.QueryContext(ctx, releaseRefundsSQL, w.artist, w.currency, w.from, w.to, lo, hi)
	if err != nil {
		return nil, 0, fmt.Errorf("earnings refunds by release: %w", err)
	}
	defer rows.Close()
	bySale := map[int64]int64{}
	var all int64
	for rows.Next() {
		var id, sum, ofSales int64
		if err := rows.Scan(&id, &sum, &ofSales); err != nil {
			return nil, 0, err
		}
		bySale[id] = ofSales
		all += sum
	}
	return bySale, all, rows.Err()
}

// Statement implements store.Reader.
func (r reader) Statement(ctx context.Context, sw store.Window) ([]api.StatementLine, error) {
	w := windowOf(sw)
	rows, err := r.q.QueryContext(ctx, `SELECT * FROM (
		SELECT s.created_at, 'sale', 'P' || s.purchase_id, r.id, r.title, a.display_name, s.gross_cents, s.platform_cents, s.cents
		FROM sale_shares s JOIN purchases p ON p.id = s.purchase_id JOIN releases r ON r.id = s.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE s.account_id = ?1 AND s.currency = ?2 AND s.created_at >= ?3 AND s.created_at < ?4
		UNION ALL
		SELECT x.created_at, 'refund', 'R' || f.id, r.id, r.title, a.display_name, -f.amount_cents, -f.platform_cents, -x.cents
		FROM refund_shares x JOIN refunds f ON f.id = x.refund_id JOIN purchases p ON p.id = x.purchase_id
			JOIN releases r ON r.id = p.release_id JOIN accounts a ON a.id = p.fan_id
		WHERE x.account_id = ?1 AND x.currency = ?2 AND x.created_at >= ?3 AND x.created_at < ?4
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
		out = append(out, l)
	}
	return out, rows.Err()
}

// Fans implements store.Reader.
func (r reader) Fans(ctx context.Context, artistID int64) ([]api.Fan, error) {
	// A fan's address shows when they share it: their latest choice for
	// this artist, else what they chose at a purchase.
	rows, err := r.q.QueryContext(ctx, `SELECT a.id, a.display_name,
		CASE WHEN COALESCE((SELECT share_email FROM mail_prefs WHERE artist_id = ?1 AND fan_id = a.id), MAX(x.share)) = 1
			THEN a.email ELSE '' END,
		COALESCE(MAX(x.currency), ''), COALESCE(SUM(x.net), 0), COALESCE(SUM(x.bought), 0), MIN(x.at), MAX(x.at), MAX(x.follower)
		FROM (
			SELECT p.fan_id AS fan, p.currency, p.gross_cents - (SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = p.id) AS net,
				1 AS bought, p.created_at AS at, p.share_email AS share, 0 AS follower
			FROM purchases p WHERE p.artist_id = ?1
			UNION ALL
			SELECT fan_id, NULL, 0, 0, NULL, 0, 1 FROM follows WHERE artist_id = ?1
		) x JOIN accounts a ON a.id = x.fan
		GROUP BY a.id ORDER BY 5 DESC, a.id`, artistID)
	if err != nil {
		return nil, fmt.Errorf("fans: %w", err)
	}
	defer rows.Close()
	list := []api.Fan{}
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
		list = append(list, f)
	}
	return list, rows.Err()
}
