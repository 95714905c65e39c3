package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/megabox-fm/megabox/backend/store"
)

// CountListen implements store.InsightTx: one upsert, so concurrent
// counts of the same day add up without a read.
func (t *tx) CountListen(ctx context.Context, releaseID int64, kind string, at time.Time) error {
	col, err := counterColumn(kind)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO insight_days (release_id, day, `+col+`) VALUES (?, ?, 1)
		ON CONFLICT (release_id, day) DO UPDATE SET `+col+` = `+col+` + 1`, releaseID, store.DayNumber(at))
	if err != nil {
		return fmt.Errorf("count %s: %w", kind, err)
	}
	return nil
}

// counterColumn is the column a kind of listen is counted in.
func counterColumn(kind string) (string, error) {
	switch kind {
	case store.CountPlay:
		return "plays", nil
	case store.CountPreview:
		return "previews", nil
	}
	return "", fmt.Errorf("no counter of %q", kind)
}

// SetPurchaseCountry implements store.InsightTx.
func (t *tx) SetPurchaseCountry(ctx context.Context, purchaseID int64, country string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE purchases SET country = ? WHERE id = ?`, country, purchaseID)
	return changed(res, err)
}

// insightDaysSQL joins the counters and the sales of the artist's
// releases (?1 artist, ?2 release or 0, ?3 currency, ?4/?5 the days).
const insightDaysSQL = `
WITH c AS (
	SELECT d.release_id, d.day, d.plays, d.previews FROM insight_days d JOIN releases r ON r.id = d.release_id
	WHERE r.artist_id = ?1 AND (?2 = 0 OR d.release_id = ?2) AND d.day >= ?4 AND d.day < ?5),
s AS (
	SELECT release_id, created_at / 86400000 AS day, COUNT(*) AS sales,
		SUM(CASE WHEN currency = ?3 THEN gross_cents ELSE 0 END) AS gross
	FROM purchases WHERE artist_id = ?1 AND (?2 = 0 OR release_id = ?2)
		AND created_at >= ?4 * 86400000 AND created_at < ?5 * 86400000
	GROUP BY 1, 2),
k AS (SELECT release_id, day FROM c UNION SELECT release_id, day FROM s)
SELECT k.day, k.release_id, COALESCE(c.plays, 0), COALESCE(c.previews, 0), COALESCE(s.sales, 0), COALESCE(s.gross, 0)
FROM k LEFT JOIN c USING (release_id, day) LEFT JOIN s USING (release_id, day)
ORDER BY k.day, k.release_id`

// InsightDays implements store.InsightReader.
func (r reader) InsightDays(ctx context.Context, q store.InsightQuery) ([]store.InsightDay, error) {
	rows, err := r.q.QueryContext(ctx, insightDaysSQL, q.ArtistID, q.ReleaseID, q.Currency, store.DayNumber(q.From), store.DayNumber(q.To))
	if err != nil {
		return nil, fmt.Errorf("insight days: %w", err)
	}
	defer rows.Close()
	out := []store.InsightDay{}
	for rows.Next() {
		var d store.InsightDay
		var day int64
		if err := rows.Scan(&day, &d.ReleaseID, &d.Plays, &d.Previews, &d.Sales, &d.Gross); err != nil {
			return nil, fmt.Errorf("insight days: %w", err)
		}
		d.Day = store.DayOf(day)
		out = append(out, d)
	}
	return out, rows.Err()
}

// InsightCountries implements store.InsightReader.
func (r reader) InsightCountries(ctx context.Context, q store.InsightQuery, limit int) ([]store.CountryCount, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT country, COUNT(*) FROM purchases
		WHERE artist_id = ? AND (? = 0 OR release_id = ?) AND created_at >= ? AND created_at < ? AND country <> ''
		GROUP BY country ORDER BY 2 DESC, 1 LIMIT ?`,
		q.ArtistID, q.ReleaseID, q.ReleaseID, millis(q.From), millis(q.To), limit)
	if err != nil {
		return nil, fmt.Errorf("insight countries: %w", err)
	}
	defer rows.Close()
	out := []store.CountryCount{}
	for rows.Next() {
		var c store.CountryCount
		if err := rows.Scan(&c.Country, &c.Sales); err != nil {
			return nil, fmt.Errorf("insight countries: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
