package http_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// fixClock dates everything the platform does at t.
func (e *env) fixClock(t time.Time) { e.p.SetClock(func() time.Time { return t }) }

// insight reads a creator's insight or fails.
func insightOf(t *testing.T, c *mhttp.Client, f api.InsightFilter) *api.Insight {
	t.Helper()
	in, err := c.Insight(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestPreviewCountsItsStartOnly: a preview fetched from its first byte
// counts once; its Range continuations, a HEAD, a browser revalidating
// its copy and a draft's preview count nothing.
func TestPreviewCountsItsStartOnly(t *testing.T) {
	e := mustEnv(t)
	e.fixClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	ann, _ := e.signUp("Ann", true)
	path, rel := e.previewRelease(ann, master(t, testmedia.Encoding{}), false, nil)
	previews := func() int64 {
		t.Helper()
		return insightOf(t, ann, api.InsightFilter{ReleaseID: rel.ID}).Totals.Previews
	}
	status, whole, hdr := e.raw("GET", path, "", nil)
	if status != 200 || len(whole) < 1000 {
		t.Fatalf("preview = %d, %d bytes", status, len(whole))
	}
	if got := previews(); got != 1 {
		t.Fatalf("after a full fetch: %d previews, want 1", got)
	}
	if status, body, _ := e.raw("GET", path, "", nil, "Range", "bytes=1000-"); status != 206 || !bytes.Equal(body, whole[1000:]) {
		t.Fatalf("continuation = %d, %d bytes", status, len(body))
	}
	if status, _, _ := e.raw("HEAD", path, "", nil); status != 200 {
		t.Fatalf("head = %d", status)
	}
	if status, _, _ := e.raw("GET", path, "", nil, "If-None-Match", hdr.Get("ETag")); status != 304 {
		t.Fatalf("revalidation = %d", status)
	}
	if got := previews(); got != 1 {
		t.Fatalf("after a continuation, a HEAD and a revalidation: %d previews, want 1", got)
	}
	if status, body, _ := e.raw("GET", path, "", nil, "Range", "bytes=0-"); status != 206 || !bytes.Equal(body, whole) {
		t.Fatalf("a player's first request = %d, %d bytes", status, len(body))
	}
	if got := previews(); got != 2 {
		t.Fatalf("after a new start: %d previews, want 2", got)
	}
	draftPath, draft := e.previewRelease(ann, master(t, testmedia.Encoding{}), true, nil)
	if status, _, _ := e.raw("GET", draftPath, ann.Token(), nil); status != 200 {
		t.Fatalf("draft preview = %d", status)
	}
	if got := insightOf(t, ann, api.InsightFilter{ReleaseID: draft.ID}).Totals.Previews; got != 0 {
		t.Fatalf("a draft's preview counted %d", got)
	}
}

// TestPlaysOnlyForOwnedTracks: a play is counted for a track the caller
// bought, and refused otherwise with the right status.
func TestPlaysOnlyForOwnedTracks(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	fan, _ := e.signUp("Fan", false)
	rel := e.published(ann, "Tides", 2, nil)
	track := rel.Tracks[0].ID
	post := func(c *mhttp.Client, body string) int {
		token := ""
		if c != nil {
			token = c.Token()
		}
		status, _, _ := e.raw("POST", "/api/v1/plays", token, strings.NewReader(body))
		return status
	}
	for _, tc := range []struct {
		name string
		who  *mhttp.Client
		body string
		want int
	}{
		{"signed out", nil, fmt.Sprintf(`{"track_id":%d}`, track), 401},
		{"not bought", fan, fmt.Sprintf(`{"track_id":%d}`, track), 403},
		{"its creator", ann, fmt.Sprintf(`{"track_id":%d}`, track), 403},
		{"no such track", fan, `{"track_id":999999}`, 404},
		{"no track", fan, `{}`, 400},
	} {
		if got := post(tc.who, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if _, err := buy(fan, rel.ID, 1000, "k1"); err != nil {
		t.Fatal(err)
	}
	if got := post(fan, fmt.Sprintf(`{"track_id":%d}`, track)); got != 204 {
		t.Fatalf("a bought track: %d, want 204", got)
	}
	if err := fan.ReportPlay(context.Background(), rel.Tracks[1].ID); err != nil {
		t.Fatal(err)
	}
	if got := insightOf(t, ann, api.InsightFilter{}).Totals; got.Plays != 2 || got.Sales != 1 {
		t.Fatalf("totals = %+v, want 2 plays and 1 sale", got)
	}
}

// TestInsightCSV: the CSV holds one line per release and day, exactly,
// with text a spreadsheet would run defused.
func TestInsightCSV(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	e.fixClock(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	ann, _ := e.signUp("Ann", true)
	rel := e.published(ann, "=HYPERLINK(\"x\")", 1, nil)
	fan, _ := e.signUp("Fan", false)
	for range 4 {
		e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/preview", rel.Tracks[0].ID), "", nil)
	}
	if _, err := buy(fan, rel.ID, 1250, "k1"); err != nil {
		t.Fatal(err)
	}
	e.fixClock(time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC))
	if err := fan.ReportPlay(ctx, rel.Tracks[0].ID); err != nil {
		t.Fatal(err)
	}
	f := api.InsightFilter{From: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)}
	var buf bytes.Buffer
	if err := ann.InsightCSV(ctx, f, &buf); err != nil {
		t.Fatal(err)
	}
	want := "day,release_id,release,plays,previews,sales,gross,currency,conversion\n" +
		fmt.Sprintf("2026-03-10,%d,\"'=HYPERLINK(\"\"x\"\")\",0,4,1,12.50,EUR,0.2500\n", rel.ID) +
		fmt.Sprintf("2026-03-11,%d,\"'=HYPERLINK(\"\"x\"\")\",1,0,0,0.00,EUR,\n", rel.ID)
	if buf.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
	status, _, hdr := e.raw("GET", "/api/v1/me/insight?format=csv", ann.Token(), nil)
	if status != 200 || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("csv response = %d %v", status, hdr)
	}
	if status, _, _ := e.raw("GET", "/api/v1/me/insight?format=xml", ann.Token(), nil); status != 400 {
		t.Fatalf("format=xml = %d, want 400", status)
	}
}

// TestInsightIsTheCreatorsOwn: another creator's release is not found,
// a fan account is refused, and a bad period names its field.
func TestInsightIsTheCreatorsOwn(t *testing.T) {
	e := mustEnv(t)
	ann, _ := e.signUp("Ann", true)
	bob, _ := e.signUp("Bob", true)
	fan, _ := e.signUp("Fan", false)
	bobs := e.published(bob, "Bob's", 1, nil)
	for i := range 3 {
		e.raw("GET", fmt.Sprintf("/api/v1/tracks/%d/preview", bobs.Tracks[0].ID), "", nil, "X-N", fmt.Sprint(i))
	}
	for _, q := range []string{fmt.Sprintf("?release=%d", bobs.ID), fmt.Sprintf("?release=%d&format=csv", bobs.ID)} {
		status, body, _ := e.raw("GET", "/api/v1/me/insight"+q, ann.Token(), nil)
		if status != 404 || bytes.Contains(body, []byte("Bob's")) {
			t.Fatalf("another creator's release %s = %d %s", q, status, body)
		}
	}
	if got := insightOf(t, ann, api.InsightFilter{}); len(got.Days) != 0 || got.Totals.Previews != 0 {
		t.Fatalf("ann's insight holds bob's counts: %+v", got)
	}
	if got := insightOf(t, bob, api.InsightFilter{}).Totals.Previews; got != 3 {
		t.Fatalf("bob's previews = %d, want 3", got)
	}
	_, err := fan.Insight(context.Background(), api.InsightFilter{})
	wantCode(t, err, api.EFORBIDDEN)
	status, body, _ := e.raw("GET", "/api/v1/me/insight?from=yesterday", ann.Token(), nil)
	if status != 400 || !bytes.Contains(body, []byte(`"from"`)) {
		t.Fatalf("bad from = %d %s", status, body)
	}
	if status, _, _ := e.raw("GET", "/api/v1/me/insight", "", nil); status != 401 {
		t.Fatalf("signed out = %d", status)
	}
}

// TestSandboxPageKnowsTheCountry: the sandbox's page takes the payer's
// country from its form, else from the browser's language region, and
// the sale keeps it for the creator's top countries.
func TestSandboxPageKnowsTheCountry(t *testing.T) {
	s := openShop(t)
	pay := func(key string, form neturl.Values, lang string) {
		co := s.checkout(key, 1000)
		form.Set("card", "4242 4242 4242 4242")
		req, err := http.NewRequest("POST", co.URL, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || s.state(co).State != api.CheckoutPaid {
			t.Fatalf("pay %s = %d", key, resp.StatusCode)
		}
	}
	pay("k1", neturl.Values{}, "fr-BE,fr;q=0.9,en;q=0.5")
	other, _ := s.signUp("Other", false)
	s.fan = other
	pay("k2", neturl.Values{"country": {"de"}}, "fr-BE")
	third, _ := s.signUp("Third", false)
	s.fan = third
	pay("k3", neturl.Values{}, "en") // no region: unknown
	got := insightOf(t, s.ann, api.InsightFilter{}).Countries
	want := []api.InsightCountry{{Country: "BE", Sales: 1}, {Country: "DE", Sales: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("countries = %+v, want %+v", got, want)
	}
}
