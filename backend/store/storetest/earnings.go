package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// testEarnings: sales and refunds grouped by UTC month, day, release and
// track across month and day boundaries to the millisecond, refunds
// counted when they happened; windows are [from, to); the default
// currency is that of the latest sale; balances are as of now.
func testEarnings(t *testing.T, s Services) {
	clk := setClock(s, at(t, "2026-01-01T00:00:00Z"))
	ann := signUp(t, s, "ann", true)
	amy := signUp(t, s, "amy", false)
	ben := signUp(t, s, "ben", false)
	a := release(t, s, ann, "A", 1000, "EUR", 1) // 900 + 100
	b := release(t, s, ann, "B", 600, "EUR", 1)  // 540 + 60
	c := release(t, s, ann, "C", 700, "USD", 1)  // 630 + 70
	sale := func(when string, fan context.Context, rel *api.Release) *api.Purchase {
		clk.set(at(t, when))
		return buy(t, s, fan, rel, rel.PriceCents)
	}
	first := sale("2026-01-31T23:59:59.999Z", amy, a)
	sale("2026-02-01T00:00:00.000Z", amy, b)
	sale("2026-02-01T23:59:59.999Z", ben, a)
	sale("2026-02-02T00:00:00.000Z", ben, b)
	clk.set(at(t, "2026-03-01T00:00:00.000Z"))
	refund(t, s, ann, first.ID, 300) // 270 + 30, in March
	sale("2026-02-15T12:00:00Z", amy, c)

	totals := func(sales, gross, refunded int64) api.EarningsTotals {
		return api.EarningsTotals{Sales: sales, GrossCents: gross, CreatorCents: gross - gross/10, PlatformCents: gross / 10,
			RefundedCents: refunded, AvailableCents: 2610}
	}
	row := func(period string, sales, gross, refunded int64) api.EarningsRow {
		return api.EarningsRow{Period: period, Sales: sales, GrossCents: gross, CreatorCents: gross - gross/10, PlatformCents: gross / 10, RefundedCents: refunded}
	}
	byRelease := func(rel *api.Release, track string, sales, gross, refunded int64) api.EarningsRow {
		r := row("", sales, gross, refunded)
		r.ReleaseID, r.ReleaseTitle, r.TrackTitle = rel.ID, rel.Title, track
		return r
	}
	check := func(f api.EarningsFilter, want api.Earnings) {
		t.Helper()
		if !f.From.IsZero() {
			want.From = &f.From
		}
		if !f.To.IsZero() {
			want.To = &f.To
		}
		same(t, fmt.Sprintf("earnings of %+v", f), *earnings(t, s, ann, f), want)
	}
	eur := func(tot api.EarningsTotals, rows ...api.EarningsRow) api.Earnings {
		return api.Earnings{Currency: "EUR", Totals: tot, Rows: append([]api.EarningsRow{}, rows...)}
	}

	// The latest sale is in USD.
	check(api.EarningsFilter{}, api.Earnings{Currency: "USD",
		Totals: api.EarningsTotals{Sales: 1, GrossCents: 700, CreatorCents: 630, PlatformCents: 70, AvailableCents: 630},
		Rows:   []api.EarningsRow{row("2026-02", 1, 700, 0)}})
	months := eur(totals(4, 3200, 300), row("2026-01", 1, 1000, 0), row("2026-02", 3, 2200, 0), row("2026-03", 0, 0, 300))
	check(api.EarningsFilter{Currency: "eur"}, months)
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupMonth}, months)
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupDay}, eur(totals(4, 3200, 300),
		row("2026-01-31", 1, 1000, 0), row("2026-02-01", 2, 1600, 0), row("2026-02-02", 1, 600, 0), row("2026-03-01", 0, 0, 300)))
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupRelease}, eur(totals(4, 3200, 300),
		byRelease(a, "", 2, 2000, 300), byRelease(b, "", 2, 1200, 0)))
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupTrack}, eur(totals(4, 3200, 300),
		byRelease(a, "whole release", 2, 2000, 300), byRelease(b, "whole release", 2, 1200, 0)))

	// Windows: from is in, to is out, to the millisecond.
	feb, mar1, mar2 := at(t, "2026-02-01T00:00:00Z"), at(t, "2026-03-01T00:00:00Z"), at(t, "2026-03-02T00:00:00Z")
	check(api.EarningsFilter{Currency: "EUR", From: feb, To: mar1}, eur(totals(3, 2200, 0), row("2026-02", 3, 2200, 0)))
	check(api.EarningsFilter{Currency: "EUR", From: mar1}, eur(totals(0, 0, 300), row("2026-03", 0, 0, 300)))
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupDay, From: at(t, "2026-01-31T23:59:59.999Z"), To: feb},
		eur(totals(1, 1000, 0), row("2026-01-31", 1, 1000, 0)))
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupDay, From: at(t, "2026-02-01T23:59:59.999Z"), To: at(t, "2026-02-02T00:00:00.001Z")},
		eur(totals(2, 1600, 0), row("2026-02-01", 1, 1000, 0), row("2026-02-02", 1, 600, 0)))
	// By release, a window's refunds of sales outside it count in the
	// totals only.
	check(api.EarningsFilter{Currency: "EUR", Group: api.GroupRelease, From: feb, To: mar2}, eur(totals(3, 2200, 300),
		byRelease(b, "", 2, 1200, 0), byRelease(a, "", 1, 1000, 0)))
	check(api.EarningsFilter{Currency: "GBP"}, api.Earnings{Currency: "GBP", Rows: []api.EarningsRow{}})
}

// testEarningsRefusals: bad filters name their field; only creators have
// earnings; a creator without sales sees empty lists in the currency of
// their latest release, else EUR.
func testEarningsRefusals(t *testing.T, s Services) {
	ann := signUp(t, s, "ann", true)
	bob := signUp(t, s, "bob", true)
	fan := signUp(t, s, "fan", false)
	jan, feb := at(t, "2026-01-01T00:00:00Z"), at(t, "2026-02-01T00:00:00Z")
	for _, c := range []struct {
		field string
		f     api.EarningsFilter
	}{
		{"group", api.EarningsFilter{Group: "week"}},
		{"currency", api.EarningsFilter{Currency: "XXX"}},
		{"to", api.EarningsFilter{From: feb, To: feb}},
		{"to", api.EarningsFilter{From: feb, To: jan}},
	} {
		_, err := s.Earnings.Earnings(ann, c.f)
		field(t, err, c.field)
		_, err = s.Earnings.Statement(ann, c.f)
		if c.field != "group" {
			field(t, err, c.field)
		}
	}
	_, err := s.Earnings.Earnings(fan, api.EarningsFilter{})
	code(t, err, api.EFORBIDDEN)
	_, err = s.Earnings.Earnings(context.Background(), api.EarningsFilter{})
	code(t, err, api.EUNAUTHORIZED)
	_, err = s.Earnings.Fans(fan)
	code(t, err, api.EFORBIDDEN)

	same(t, "earnings of a new creator", *earnings(t, s, ann, api.EarningsFilter{}), api.Earnings{Currency: "EUR", Rows: []api.EarningsRow{}})
	if _, err := s.Releases.CreateRelease(bob, manifest(t, s, bob, "Pounds", 500, "GBP", 1)); err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{api.GroupDay, api.GroupRelease} {
		same(t, "earnings by "+g+" of a creator with a draft", *earnings(t, s, bob, api.EarningsFilter{Group: g}), api.Earnings{Currency: "GBP", Rows: []api.EarningsRow{}})
	}
	if lines, err := s.Earnings.Statement(ann, api.EarningsFilter{}); err != nil || len(lines) != 0 {
		t.Fatalf("statement of a new creator = %+v, %v", lines, err)
	}
	if fans, err := s.Earnings.Fans(ann); err != nil || fans.Items == nil || len(fans.Items) != 0 {
		t.Fatalf("fans of a new creator = %+v, %v; want items []", fans, err)
	}
}

// testStatement: every sale, refund and payout in the window, in time
// order, refunds and payouts negative, with the release, the fan and the
// split of each line.
func testStatement(t *testing.T, s Services) {
	t1 := at(t, "2026-08-01T09:00:00.001Z")
	clk := setClock(s, t1)
	ann := signUp(t, s, "ann", true)
	amy := signUp(t, s, "amy", false)
	ben := signUp(t, s, "ben", false)
	r1 := release(t, s, ann, "One", 1000, "EUR", 1)
	r2 := release(t, s, ann, "Two", 2000, "EUR", 1)
	dollars := release(t, s, ann, "Dollars", 2000, "USD", 1)
	p1 := buy(t, s, amy, r1, 1000)
	t2, t3, t4 := t1.Add(time.Nanosecond), t1.Add(2*time.Millisecond), t1.Add(3*time.Second) // t2 is t1 to the millisecond
	clk.set(t2)
	p2 := buy(t, s, ben, r2, 2000)
	buy(t, s, ben, dollars, 2000)
	clk.set(t3)
	rf := refund(t, s, ann, p1.ID, 300)
	clk.set(t4)
	po, err := s.Earnings.RequestPayout(ann, 1000, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	line := func(when time.Time, typ, id string, rel *api.Release, fan string, gross, platform, creator int64) api.StatementLine {
		l := api.StatementLine{Date: when, Type: typ, ID: id, Fan: fan, GrossCents: gross, PlatformCents: platform, CreatorCents: creator, Currency: "EUR"}
		if rel != nil {
			l.ReleaseID, l.Release, l.Track = rel.ID, rel.Title, "whole release"
		}
		return l
	}
	all := []api.StatementLine{
		line(t1, "sale", fmt.Sprint("P", p1.ID), r1, "amy", 1000, 100, 900),
		line(t1, "sale", fmt.Sprint("P", p2.ID), r2, "ben", 2000, 200, 1800),
		line(t3, "refund", fmt.Sprint("R", rf.ID), r1, "amy", -300, -30, -270),
		line(t4, "payout", fmt.Sprint("O", po.ID), nil, "", 0, 0, -1000),
	}
	statement := func(f api.EarningsFilter, want []api.StatementLine) {
		t.Helper()
		f.Currency = "EUR"
		got, err := s.Earnings.Statement(ann, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		same(t, "statement", got, want)
	}
	statement(api.EarningsFilter{}, all)
	statement(api.EarningsFilter{From: t1.Add(time.Millisecond), To: t4}, all[2:3])
	statement(api.EarningsFilter{From: t4}, all[3:])
	statement(api.EarningsFilter{To: t1}, nil)
}
