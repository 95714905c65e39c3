package app

import (
	"testing"

	"github.com/megabox-fm/megabox/app/demo"
)

// The window reads the demo creator's insight through the binding: the
// creator's releases to choose from, a period read as days, and a day
// that is not one refused by its field.
func TestInsightThroughTheBinding(t *testing.T) {
	a := openLocalApp(t)
	if _, err := a.signIn(demo.CreatorEmail, a.local.demoPassword); err != nil {
		t.Fatal(err)
	}
	x := &InsightAPI{a}
	rels, err := x.Releases()
	if err != nil || len(rels) == 0 {
		t.Fatalf("releases = %+v, %v", rels, err)
	}
	in, err := x.Insight("2026-03-01", "2026-03-08", rels[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := in.From.Format("2006-01-02") + " " + in.To.Format("2006-01-02"); got != "2026-03-01 2026-03-08" || in.ReleaseID != rels[0].ID {
		t.Fatalf("period = %s of release %d, want 2026-03-01 2026-03-08 of %d", got, in.ReleaseID, rels[0].ID)
	}
	for field, args := range map[string][2]string{"from": {"1 March", ""}, "to": {"", "2026-3-8"}} {
		if got := decodeUIError(t, func() error { _, err := x.Insight(args[0], args[1], 0); return err }()); got["field"] != field || got["code"] != "invalid" {
			t.Errorf("%v: %v, want %s refused", args, got, field)
		}
	}
	if got := decodeUIError(t, func() error { _, err := x.ExportCSV("nope", "", 0); return err }()); got["field"] != "from" {
		t.Errorf("export with a bad day: %v", got)
	}
}
