package store

import (
	"context"
	"time"
)

// Insight counters: how often a release's previews started and its
// tracks were played, per UTC day. A counter is a number and nothing
// else: no account, address or time of a single listen is kept.
const (
	CountPreview = "preview"
	CountPlay    = "play"
)

// InsightTx writes the counters and the country of a sale.
type InsightTx interface {
	// CountListen adds one to a release's counter of kind (CountPreview or
	// CountPlay) for the day at lies in, in one atomic upsert.
	CountListen(ctx context.Context, releaseID int64, kind string, at time.Time) error
	// SetPurchaseCountry records where the payer of a sale is (an ISO
	// 3166-1 alpha-2 code, upper case).
	SetPurchaseCountry(ctx context.Context, purchaseID int64, country string) error
}

// InsightReader reads the counters and sales of a creator's releases.
type InsightReader interface {
	// InsightDays lists, per release and UTC day in the query, the
	// counters and the sales (gross summed in q.Currency only), by day then
	// release; days with nothing are left out.
	InsightDays(ctx context.Context, q InsightQuery) ([]InsightDay, error)
	// InsightCountries counts the sales in the query per payer's country,
	// most first (ties by code), up to limit; sales of unknown country are
	// left out.
	InsightCountries(ctx context.Context, q InsightQuery, limit int) ([]CountryCount, error)
}

// InsightQuery selects a creator's releases over the UTC days [From, To).
type InsightQuery struct {
	ArtistID  int64
	ReleaseID int64 // 0 for all the artist's releases
	Currency  string
	From, To  time.Time // midnights UTC
}

// InsightDay is one release's day.
type InsightDay struct {
	Day       time.Time // midnight UTC
	ReleaseID int64
	Plays     int64
	Previews  int64
	Sales     int64
	Gross     int64 // cents, in the query's currency
}

// CountryCount is how many sales were paid from a country.
type CountryCount struct {
	Country string
	Sales   int64
}

// DayNumber is the UTC day at lies in, counted from 1970-01-01: how the
// counters are keyed.
func DayNumber(at time.Time) int64 { return at.UTC().Unix() / 86400 }

// DayOf is the midnight UTC of a day number.
func DayOf(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }
