package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/megabox-fm/megabox/backend/store"
)

// CountListen implements store.InsightTx: one upsert, so concurrent
// counts of the same day add up without a read (a conflicting insert
// waits for the other and then updates the row it wrote).
func (t *tx) CountListen(ctx context.Context, releaseID int64, kind string, at time.Time) error {
	col, err := counterColumn(kind)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO insight_days (release_id, day, `+col+`) VALUES ($1, $2, 1)
		ON CONFLICT (release_id, day) DO UPDATE SET `+col+` = insight_days.`+col+` + 1`, releaseID, store.DayNumber(at))
	return wrap("count "+kind, err)
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
	tag, err := t.tx.Exec(ctx, `UPDATE purchases SET country = $1 WHERE id = $2`, country, purchaseID)
	return affected("set purchase country", tag, err)
}

// insightDaysSQL joins the counters and the sales of the artist's
// releases ($1 artist, $2 release or 0, $3 currency, $4/$5 the days).
const insightDaysSQL = `
WITH c AS (
	SELECT d.release_id, d.day, d.plays, d.previews FROM insight_days d JOIN releases r ON r.id = d.release_id
	WHERE r.artist_id = $1 AND ($2 = 0 OR d.release_id = $2) AND d.day >= $4 AND d.day < $5),
s AS (
	SELECT release_id, floor(extract(epoch FROM created_at) / 86400)::int8 AS day, COUNT(*) AS sales,
		SUM(CASE WHEN currency = $3 THEN gross_cents ELSE 0 END)::int8 AS gross
	FROM purchases WHERE artist_id = $1 AND ($2 = 0 OR release_id = $2)
		AND created_at >= to_timestamp($4 * 86400) AND created_at < to_timestamp($5 * 86400)
	GROUP BY 1, 2)
SELECT day, release_id, COALESCE(c.plays, 0), COALESCE(c.previews, 0), COALESCE(s.sales, 0), COALESCE(s.gross, 0)::int8
FROM c FULL JOIN s USING (release_id, day)
ORDER BY day, release_id`

// InsightDays implements store.InsightReader.
func (r reader) InsightDays(ctx context.Context, q store.InsightQuery) ([]store.InsightDay, error) {
	rows, err := r.q.Query(ctx, insightDaysSQL, q.ArtistID, q.ReleaseID, q.Currency, store.DayNumber(q.From), store.DayNumber(q.To))
	if err != nil {
		return nil, wrap("insight days", err)
	}
	out := []store.InsightDay{}
	var d store.InsightDay
	var day int64
	_, err = pgx.ForEachRow(rows, []any{&day, &d.ReleaseID, &d.Plays, &d.Previews, &d.Sales, &d.Gross}, func() error {
		d.Day = store.DayOf(day)
		out = append(out, d)
		return nil
	})
	return out, wrap("insight days", err)
}

// InsightCountries implements store.InsightReader.
func (r reader) InsightCountries(ctx context.Context, q store.InsightQuery, limit int) ([]store.CountryCount, error) {
	rows, err := r.q.Query(ctx, `SELECT country, COUNT(*) FROM purchases
		WHERE artist_id = $1 AND ($2 = 0 OR release_id = $2) AND created_at >= $3 AND created_at < $4 AND country <> ''
		GROUP BY country ORDER BY 2 DESC, 1 LIMIT $5`,
		q.ArtistID, q.ReleaseID, ms(q.From), ms(q.To), limit)
	if err != nil {
		return nil, wrap("insight countries", err)
	}
	out := []store.CountryCount{}
	var c store.CountryCount
	_, err = pgx.ForEachRow(rows, []any{&c.Country, &c.Sales}, func() error {
		out = append(out, c)
		return nil
	})
	return out, wrap("insight countries", err)
}
