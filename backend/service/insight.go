package service

import (
	"context"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/store"
)

const (
	// playsPerHour bounds the plays an account may report in an hour. A
	// play is 30 seconds of listening (half of a track under a minute),
	// so 120 is what an hour of listening reaches but for very short
	// tracks; more is a client counting wrong (or on purpose), refused
	// until the hour ends.
	playsPerHour  = 120
	topCountries  = 10 // countries listed, most sales first
	insightWindow = 30 // days shown when no start is given
)

// InsightService implements api.InsightService: counters per release and
// day, with nothing kept about who listened.
type InsightService struct {
	*env
	plays *playLimiter
}

var _ api.InsightService = (*InsightService)(nil)

// NewInsightService returns the insight of s's store.
func NewInsightService(s *Services) *InsightService {
	return &InsightService{env: s.env, plays: newPlayLimiter(playsPerHour)}
}

// CountPreview implements api.InsightService.
func (s *InsightService) CountPreview(ctx context.Context, trackID int64) error {
	t, err := s.st.Track(ctx, trackID)
	if err != nil {
		return notFound(err, "track %d not found", trackID)
	}
	return s.count(ctx, t.ReleaseID, store.CountPreview)
}

// ReportPlay implements api.InsightService. The caller's account is
// used for the ownership check and the rate only; the counter does not
// know it.
func (s *InsightService) ReportPlay(ctx context.Context, trackID int64) error {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return err
	}
	t, err := s.st.Track(ctx, trackID)
	if err != nil {
		return notFound(err, "track %d not found", trackID)
	}
	owns, err := s.st.Owns(ctx, c.Account.ID, t.ReleaseID)
	if err != nil {
		return err
	}
	if !owns {
		return api.Errorf(api.EFORBIDDEN, "track %d is not in your library", trackID)
	}
	if !s.plays.allow(c.Account.ID, s.clock()) {
		return api.Errorf(api.ERATELIMIT, "more than %d plays in an hour: try again later", playsPerHour)
	}
	return s.count(ctx, t.ReleaseID, store.CountPlay)
}

// count adds one listen; a counter lost to a power cut is harmless.
func (s *InsightService) count(ctx context.Context, releaseID int64, kind string) error {
	now := s.clock()
	return s.st.WithLightTx(ctx, func(tx store.Tx) error {
		return tx.CountListen(ctx, releaseID, kind, now)
	})
}

// Insight implements api.InsightService.
func (s *InsightService) Insight(ctx context.Context, f api.InsightFilter) (*api.Insight, error) {
	c, err := api.RequireCreator(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.query(ctx, c.Account.ID, f)
	if err != nil {
		return nil, err
	}
	days, err := s.st.InsightDays(ctx, q)
	if err != nil {
		return nil, err
	}
	countries, err := s.st.InsightCountries(ctx, q, topCountries)
	if err != nil {
		return nil, err
	}
	titles, err := s.titles(ctx, days)
	if err != nil {
		return nil, err
	}
	out := &api.Insight{From: q.From, To: q.To, ReleaseID: q.ReleaseID, Currency: q.Currency,
		Days: make([]api.InsightDay, 0, len(days)), Countries: make([]api.InsightCountry, 0, len(countries))}
	for _, d := range days {
		n := api.InsightCounts{Plays: d.Plays, Previews: d.Previews, Sales: d.Sales, GrossCents: d.Gross,
			Conversion: api.Rate(d.Sales, d.Previews)}
		out.Days = append(out.Days, api.InsightDay{Day: d.Day.Format(time.DateOnly), ReleaseID: d.ReleaseID,
			ReleaseTitle: titles[d.ReleaseID], InsightCounts: n})
		out.Totals.Plays += d.Plays
		out.Totals.Previews += d.Previews
		out.Totals.Sales += d.Sales
		out.Totals.GrossCents += d.Gross
	}
	out.Totals.Conversion = api.Rate(out.Totals.Sales, out.Totals.Previews)
	for _, c := range countries {
		out.Countries = append(out.Countries, api.InsightCountry{Country: c.Country, Sales: c.Sales})
	}
	return out, nil
}

// query checks a filter and states it for the store: whole days, a
// bounded period, and a release of the caller's own.
func (s *InsightService) query(ctx context.Context, artistID int64, f api.InsightFilter) (store.InsightQuery, error) {
	q := store.InsightQuery{ArtistID: artistID, ReleaseID: f.ReleaseID, From: midnight(f.From), To: midnight(f.To)}
	if f.To.IsZero() {
		q.To = midnight(s.clock()).AddDate(0, 0, 1)
	} else if !f.To.Equal(q.To) { // a time within a day: that day is in
		q.To = q.To.AddDate(0, 0, 1)
	}
	if f.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -insightWindow)
	}
	if !q.From.Before(q.To) {
		return q, api.FieldErrorf("to", "must be after from")
	}
	if q.To.Sub(q.From) > api.MaxInsightDays*24*time.Hour {
		return q, api.FieldErrorf("from", "a period is at most %d days", api.MaxInsightDays)
	}
	if f.ReleaseID < 0 {
		return q, api.FieldErrorf("release", "must be a release id")
	}
	if f.ReleaseID != 0 {
		rel, err := s.st.Release(ctx, f.ReleaseID)
		if err != nil || rel.ArtistID != artistID { // another's release is as good as missing
			return q, notFound(orNotFound(err), "release %d not found", f.ReleaseID)
		}
	}
	cur, err := s.st.MainCurrency(ctx, artistID)
	if err != nil || cur == "" {
		cur = "EUR"
	}
	q.Currency = cur
	return q, nil
}

// titles names the releases the days are about.
func (s *InsightService) titles(ctx context.Context, days []store.InsightDay) (map[int64]string, error) {
	out := map[int64]string{}
	for _, d := range days {
		if _, ok := out[d.ReleaseID]; ok {
			continue
		}
		rel, err := s.st.Release(ctx, d.ReleaseID)
		if err != nil {
			return nil, err
		}
		out[d.ReleaseID] = rel.Title
	}
	return out, nil
}

// midnight is the start of t's UTC day; zero stays zero.
func midnight(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(24 * time.Hour)
}

// playLimiter counts each account's plays in the current hour. It is
// memory only, per server: a bound against runaway clients, not a record.
type playLimiter struct {
	mu    sync.Mutex
	max   int
	hour  int64         // the hour the counts are of
	count map[int64]int // plays per account this hour
}

func newPlayLimiter(max int) *playLimiter {
	return &playLimiter{max: max, count: map[int64]int{}}
}

// allow takes one play of the account's hour, if any is left.
func (l *playLimiter) allow(accountID int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if h := now.Unix() / 3600; h != l.hour { // a new hour forgets the last
		l.hour, l.count = h, map[int64]int{}
	}
	if l.count[accountID] >= l.max {
		return false
	}
	l.count[accountID]++
	return true
}
