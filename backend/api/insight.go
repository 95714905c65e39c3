package api

import (
	"context"
	"time"
)

// InsightFilter selects a creator's insight: whole UTC days [From, To),
// one release or all of theirs.
type InsightFilter struct {
	From, To  time.Time // zero From: 30 days before To; zero To: tomorrow
	ReleaseID int64     // 0 for all the caller's releases
}

// Insight is how a creator's releases were heard and bought, per day.
// Plays and previews are counters with no listener behind them: a play
// is the desktop app's report of a bought track heard for 30 seconds or
// half its length; a preview is a start of a preview from its first
// byte. Conversion is sales ÷ previews (null without previews).
type Insight struct {
	From      time.Time        `json:"from"`
	To        time.Time        `json:"to"`
	ReleaseID int64            `json:"release_id,omitempty"`
	Currency  string           `json:"currency"` // of gross_cents; sales in other currencies count, their money does not
	Days      []InsightDay     `json:"days"`
	Totals    InsightCounts    `json:"totals"`
	Countries []InsightCountry `json:"countries"` // top 10, most sales first
}

// InsightCounts are the counts of a day, or of the whole period.
type InsightCounts struct {
	Plays      int64    `json:"plays"`
	Previews   int64    `json:"previews"`
	Sales      int64    `json:"sales"`
	GrossCents int64    `json:"gross_cents"`
	Conversion *float64 `json:"conversion"` // sales ÷ previews; null without previews
}

// InsightDay is one release's day ("2026-11-26", UTC).
type InsightDay struct {
	Day          string `json:"day"`
	ReleaseID    int64  `json:"release_id"`
	ReleaseTitle string `json:"release_title"`
	InsightCounts
}

// InsightCountry is how many sales were paid from a country (ISO 3166-1
// alpha-2, from the payment provider).
type InsightCountry struct {
	Country string `json:"country"`
	Sales   int64  `json:"sales"`
}

// MaxInsightDays bounds the period of one insight request.
const MaxInsightDays = 366

// InsightService counts listens and reports them to creators.
type InsightService interface {
	// CountPreview counts a preview start of a track; a track no one may
	// preview counts nothing (ENOTFOUND).
	CountPreview(ctx context.Context, trackID int64) error
	// ReportPlay counts a play of a track the caller owns. EUNAUTHORIZED
	// signed out, ENOTFOUND for no such track, EFORBIDDEN for a track the
	// caller does not own, ERATELIMIT past the caller's rate.
	ReportPlay(ctx context.Context, trackID int64) error
	// Insight reports the caller's releases. EFORBIDDEN for a fan
	// account, ENOTFOUND for a release not theirs, EINVALID for a bad
	// period (the field at fault).
	Insight(ctx context.Context, f InsightFilter) (*Insight, error)
}

// Rate is n ÷ of, or nil when of is zero.
func Rate(n, of int64) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}
