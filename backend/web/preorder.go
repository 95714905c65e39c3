package web

import (
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// clock is the time pre-orders are judged by: the platform's own, so a
// page and a download never disagree about whether the day has come.
func (h *Handler) clock() time.Time {
	if h.now == nil {
		return time.Now()
	}
	return h.now()
}

// preorderLine is what a page says of a release still on pre-order, ""
// for any other: its release day and how many tracks buyers get now.
func preorderLine(lang string, rel api.Release, now time.Time) string {
	if !rel.InPreorder(now) {
		return ""
	}
	return translate(lang, "preorder.line", longDate(lang, rel.ReleaseDate), rel.TracksNow(now), len(rel.Tracks))
}

// preorderDate is a card's date for a release on pre-order.
func preorderDate(lang string, rel api.Release, now time.Time) (string, bool) {
	if !rel.InPreorder(now) {
		return "", false
	}
	return translate(lang, "preorder.card", longDate(lang, rel.ReleaseDate)), true
}
