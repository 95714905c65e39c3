package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/service"
)

// testInsightCountersUnderConcurrency: 100 previews and 100 plays counted
// at once are exactly 100 each, in the day they happened.
func testInsightCountersUnderConcurrency(t *testing.T, s Services) {
	setClock(s, at(t, "2026-03-10T23:59:00Z"))
	ins := service.NewInsightService(s.Services)
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 500, "EUR", 2)
	fan := signUp(t, s, "fan", false)
	buy(t, s, fan, rel, 500)
	errs := parallel(200, func(i int) error {
		track := rel.Tracks[i%2].ID
		if i < 100 {
			return ins.CountPreview(context.Background(), track)
		}
		return ins.ReportPlay(fan, track)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("count %d: %v", i, err)
		}
	}
	got, err := ins.Insight(ann, api.InsightFilter{From: at(t, "2026-03-10T00:00:00Z"), To: at(t, "2026-03-11T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	want := []api.InsightDay{{Day: "2026-03-10", ReleaseID: rel.ID, ReleaseTitle: "Tides",
		InsightCounts: api.InsightCounts{Plays: 100, Previews: 100, Sales: 1, GrossCents: 500, Conversion: api.Rate(1, 100)}}}
	same(t, "days", got.Days, want)
}

// testInsight: a creator sees their releases per day (counters, sales,
// gross in their currency, conversion) and where their buyers pay from;
// only their own releases, in a bounded period.
func testInsight(t *testing.T, s Services) {
	ctx := context.Background()
	clk := setClock(s, at(t, "2026-03-01T10:00:00Z"))
	ins := service.NewInsightService(s.Services)
	ann := signUp(t, s, "ann", true)
	tides := release(t, s, ann, "Tides", 500, "EUR", 1)
	dunes := release(t, s, ann, "Dunes", 700, "EUR", 1)
	bob := signUp(t, s, "bob", true)
	other := release(t, s, bob, "Other", 300, "EUR", 1)
	preview := func(rel *api.Release, n int) {
		for range n {
			if err := ins.CountPreview(ctx, rel.Tracks[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	pay := func(name string, rel *api.Release, amount int64, country string) {
		fan := signUp(t, s, name, false)
		co, err := s.Purchases.CreateCheckout(fan, "k-"+name, api.CheckoutCreate{ReleaseID: rel.ID, AmountCents: amount, Currency: "EUR"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Purchases.PayOnPageFrom(ctx, strings.TrimPrefix(co.URL, payment.SandboxPagePrefix), payment.CardSuccess, country); err != nil {
			t.Fatal(err)
		}
	}
	preview(tides, 4)
	preview(other, 9)
	pay("f1", tides, 500, "fr")
	clk.set(at(t, "2026-03-02T08:00:00Z"))
	preview(dunes, 2)
	pay("f2", tides, 600, "DE")
	pay("f3", dunes, 700, "FR")
	pay("f4", dunes, 700, "") // no country known
	pay("f5", other, 300, "US")

	got, err := ins.Insight(ann, api.InsightFilter{From: at(t, "2026-03-01T00:00:00Z"), To: at(t, "2026-03-03T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d string, rel *api.Release, previews, sales, gross int64) api.InsightDay {
		return api.InsightDay{Day: d, ReleaseID: rel.ID, ReleaseTitle: rel.Title,
			InsightCounts: api.InsightCounts{Previews: previews, Sales: sales, GrossCents: gross, Conversion: api.Rate(sales, previews)}}
	}
	same(t, "days", got.Days, []api.InsightDay{
		day("2026-03-01", tides, 4, 1, 500),
		day("2026-03-02", tides, 0, 1, 600),
		day("2026-03-02", dunes, 2, 2, 1400),
	})
	same(t, "totals", got.Totals, api.InsightCounts{Previews: 6, Sales: 4, GrossCents: 2500, Conversion: api.Rate(4, 6)})
	same(t, "countries", got.Countries, []api.InsightCountry{{Country: "FR", Sales: 2}, {Country: "DE", Sales: 1}})
	same(t, "currency", got.Currency, "EUR")

	one, err := ins.Insight(ann, api.InsightFilter{From: at(t, "2026-03-02T00:00:00Z"), To: at(t, "2026-03-02T12:00:00Z"), ReleaseID: dunes.ID})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "one release", one.Days, []api.InsightDay{day("2026-03-02", dunes, 2, 2, 1400)})
	same(t, "its countries", one.Countries, []api.InsightCountry{{Country: "FR", Sales: 1}})
	same(t, "a time within a day takes the day", one.To, at(t, "2026-03-03T00:00:00Z"))

	_, err = ins.Insight(ann, api.InsightFilter{ReleaseID: other.ID})
	code(t, err, api.ENOTFOUND)
	_, err = ins.Insight(ann, api.InsightFilter{ReleaseID: 99999})
	code(t, err, api.ENOTFOUND)
	_, err = ins.Insight(signUp(t, s, "fan", false), api.InsightFilter{})
	code(t, err, api.EFORBIDDEN)
	_, err = ins.Insight(ctx, api.InsightFilter{})
	code(t, err, api.EUNAUTHORIZED)
	_, err = ins.Insight(ann, api.InsightFilter{From: at(t, "2026-03-02T00:00:00Z"), To: at(t, "2026-03-01T00:00:00Z")})
	field(t, err, "to")
	_, err = ins.Insight(ann, api.InsightFilter{From: at(t, "2024-01-01T00:00:00Z"), To: at(t, "2026-03-01T00:00:00Z")})
	field(t, err, "from")

	// No dates: the last 30 days up to today.
	recent, err := ins.Insight(ann, api.InsightFilter{})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "default period", []time.Time{recent.From, recent.To}, []time.Time{at(t, "2026-02-01T00:00:00Z"), at(t, "2026-03-03T00:00:00Z")})
	same(t, "default period's totals", recent.Totals, got.Totals)
}

// testPlayRefusals: plays count only for tracks the caller owns, and
// no more than a listener can hear in an hour.
func testPlayRefusals(t *testing.T, s Services) {
	ctx := context.Background()
	clk := setClock(s, at(t, "2026-03-01T10:00:00Z"))
	ins := service.NewInsightService(s.Services)
	ann := signUp(t, s, "ann", true)
	rel := release(t, s, ann, "Tides", 500, "EUR", 1)
	track := rel.Tracks[0].ID
	fan := signUp(t, s, "fan", false)
	code(t, ins.ReportPlay(ctx, track), api.EUNAUTHORIZED)
	code(t, ins.ReportPlay(fan, track), api.EFORBIDDEN)
	code(t, ins.ReportPlay(ann, track), api.EFORBIDDEN) // a creator's own listening is not a fan's
	code(t, ins.ReportPlay(fan, 99999), api.ENOTFOUND)
	code(t, ins.CountPreview(ctx, 99999), api.ENOTFOUND)
	buy(t, s, fan, rel, 500)
	for i := range 120 {
		if err := ins.ReportPlay(fan, track); err != nil {
			t.Fatalf("play %d: %v", i+1, err)
		}
	}
	code(t, ins.ReportPlay(fan, track), api.ERATELIMIT)
	clk.set(at(t, "2026-03-01T11:00:00Z"))
	if err := ins.ReportPlay(fan, track); err != nil {
		t.Fatalf("the next hour: %v", err)
	}
	got, err := ins.Insight(ann, api.InsightFilter{})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "plays", got.Totals.Plays, int64(121))
}
