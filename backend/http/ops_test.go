package http_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

// logBuffer collects log output written while a server runs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// records returns the JSON records logged so far.
func (l *logBuffer) records() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// find returns the first record with all of want's values.
func (l *logBuffer) find(want map[string]any) map[string]any {
	for _, rec := range l.records() {
		match := true
		for k, v := range want {
			if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
				match = false
			}
		}
		if match {
			return rec
		}
	}
	return nil
}

// waitFor polls the log for a record with want's values: the access log is
// written after the response has gone.
func (l *logBuffer) waitFor(t *testing.T, want map[string]any) map[string]any {
	t.Helper()
	var rec map[string]any
	wait.For(t, 10*time.Second, func() bool { rec = l.find(want); return rec != nil },
		func() string { return fmt.Sprintf("a log record %v in:\n%s", want, l.dump()) })
	return rec
}

func (l *logBuffer) dump() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newLoggedEnv is newEnv whose server logs JSON into the returned buffer.
func newLoggedEnv(t *testing.T, cfg platform.Config) (*env, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	dir := t.TempDir()
	p, err := platform.Open(context.Background(), dir, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &env{t: t, dir: dir, p: p, srv: srv}, logs
}

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestHealthz(t *testing.T) {
	e := mustEnv(t)
	status, body, hdr := e.raw("GET", "/healthz", "", nil)
	if status != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s, want 200 {\"status\":\"ok\"}", status, body)
	}
	if got := hdr.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

func readiness(t *testing.T, e *env) (int, mhttp.Readiness) {
	t.Helper()
	status, body, _ := e.raw("GET", "/readyz", "", nil)
	var r mhttp.Readiness
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	return status, r
}

// TestReadyz: ready while the database and the bucket answer; 503 naming
// the bucket when its directory is gone, and the database once closed.
func TestReadyz(t *testing.T) {
	e, logs := newLoggedEnv(t, platform.DefaultConfig)
	status, r := readiness(t, e)
	want := mhttp.Readiness{Status: "ready", Checks: map[string]string{"database": "ok", "blobs": "ok"}}
	if status != 200 || !reflect.DeepEqual(r, want) {
		t.Fatalf("healthy platform: %d %+v, want 200 %+v", status, r, want)
	}

	root := filepath.Join(e.dir, "blobs")
	if err := os.Rename(root, root+".away"); err != nil {
		t.Fatal(err)
	}
	status, r = readiness(t, e)
	want = mhttp.Readiness{Status: "unavailable", Checks: map[string]string{"database": "ok", "blobs": "failed"}, Failing: []string{"blobs"}}
	if status != 503 || !reflect.DeepEqual(r, want) {
		t.Fatalf("bucket gone: %d %+v, want 503 %+v", status, r, want)
	}
	if err := os.Rename(root+".away", root); err != nil {
		t.Fatal(err)
	}
	if status, _ = readiness(t, e); status != 200 {
		t.Fatalf("bucket back: %d, want 200", status)
	}

	e.p.DB.Close()
	status, body, hdr := e.raw("GET", "/readyz", "", nil)
	json.Unmarshal(body, &r)
	want = mhttp.Readiness{Status: "unavailable", Checks: map[string]string{"database": "failed", "blobs": "ok"}, Failing: []string{"database"}}
	if status != 503 || !reflect.DeepEqual(r, want) {
		t.Fatalf("database closed: %d %s, want 503 %+v", status, body, want)
	}
	if strings.Contains(string(body), "closed") {
		t.Errorf("readyz shows the check's error to the public: %s", body)
	}
	// The error itself is in the log, under the request's id.
	rec := logs.waitFor(t, map[string]any{"msg": "readiness check failed", "check": "database", "request_id": hdr.Get(mhttp.RequestIDHeader)})
	if !strings.Contains(fmt.Sprint(rec["err"]), "closed") {
		t.Errorf("logged error %v does not say the database is closed", rec["err"])
	}
	if status, _, _ := e.raw("GET", "/healthz", "", nil); status != 200 {
		t.Errorf("healthz with the database closed: %d, want 200 (the process still serves)", status)
	}
}

// TestReadyzTimeout: a check that does not answer in time fails as a
// timeout instead of holding the probe.
func TestReadyzTimeout(t *testing.T) {
	svc := mhttp.Services{Checks: map[string]func(context.Context) error{
		"ok":    func(context.Context) error { return nil },
		"stuck": func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
	}}
	s, err := mhttp.NewServer(svc, mhttp.Config{UploadDir: t.TempDir()}, discard())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := &env{t: t, srv: srv}
	status, r := readiness(t, e)
	want := mhttp.Readiness{Status: "unavailable", Checks: map[string]string{"ok": "ok", "stuck": "timeout"}, Failing: []string{"stuck"}}
	if status != 503 || !reflect.DeepEqual(r, want) {
		t.Fatalf("stuck check: %d %+v, want 503 %+v", status, r, want)
	}
}

// scrape reads e's metrics as Prometheus would.
func (e *env) scrape() map[string]*dto.MetricFamily {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.p.Handler.Metrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		e.t.Fatalf("metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		e.t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// matching returns the metrics of family name whose labels include want's.
func matching(fams map[string]*dto.MetricFamily, name string, want map[string]string) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range fams[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if match {
			out = append(out, m)
		}
	}
	return out
}

// value sums the counters or gauges of name with want's labels.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var v float64
	for _, m := range matching(fams, name, want) {
		v += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return v
}

// observations counts the histogram samples of name with want's labels.
func observations(fams map[string]*dto.MetricFamily, name string, want map[string]string) uint64 {
	var n uint64
	for _, m := range matching(fams, name, want) {
		n += m.GetHistogram().GetSampleCount()
	}
	return n
}

// TestMetricsCountRequests: the latency histogram counts each request once
// under its route pattern, never its raw path.
func TestMetricsCountRequests(t *testing.T) {
	e := mustEnv(t)
	for i := range 7 {
		if status, body, _ := e.raw("GET", "/api/v1/releases?q="+fmt.Sprint(i), "", nil); status != 200 {
			t.Fatalf("search: %d %s", status, body)
		}
	}
	for i := range 3 {
		e.raw("GET", fmt.Sprintf("/api/v1/releases/%d", 1000+i), "", nil)
	}
	e.raw("GET", "/no/such/thing", "", nil)
	e.raw("GET", "/api/v1/releases", "", nil, "Host", "evil.example")
	fams := e.scrape()
	const name = "megabox_http_request_duration_seconds"
	for _, c := range []struct {
		labels map[string]string
		want   uint64
	}{
		{map[string]string{"route": "GET /api/v1/releases", "method": "GET", "code": "2xx"}, 7},
		{map[string]string{"route": "GET /api/v1/releases/{id}", "method": "GET", "code": "4xx"}, 3},
		{map[string]string{"route": "/", "code": "4xx"}, 1},
		{map[string]string{"route": "none", "code": "4xx"}, 1}, // refused before routing
		{map[string]string{}, 12},
	} {
		if got := observations(fams, name, c.labels); got != c.want {
			t.Errorf("%s%v: %d samples, want %d", name, c.labels, got, c.want)
		}
	}
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if strings.Contains(l.GetValue(), "1000") || strings.Contains(l.GetValue(), "no/such") {
				t.Errorf("a label carries a raw path: %s=%q", l.GetName(), l.GetValue())
			}
		}
	}
	if v := value(fams, "megabox_http_requests_in_flight", nil); v != 0 {
		t.Errorf("in flight after all answered: %v, want 0", v)
	}
	if fams["go_goroutines"] == nil || fams["process_cpu_seconds_total"] == nil {
		t.Errorf("Go and process collectors missing")
	}
}

// TestMetricsInFlight: a request whose body has not arrived counts as in
// flight until it is answered.
func TestMetricsInFlight(t *testing.T) {
	e := mustEnv(t)
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/accounts", pr)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	inFlight := func() float64 { return value(e.scrape(), "megabox_http_requests_in_flight", nil) }
	wait.Until(t, 10*time.Second, "one request in flight", func() bool { return inFlight() == 1 })
	pw.Write([]byte(`{"email":`))
	pw.Close()
	if status := <-done; status != 400 {
		t.Fatalf("cut sign-up: %d, want 400", status)
	}
	wait.Until(t, 10*time.Second, "no request in flight", func() bool { return inFlight() == 0 })
}

// TestMetricsPurchasesAndUploads: each purchase counts once under its
// outcome; uploads count as started, stored and by their bytes.
func TestMetricsPurchasesAndUploads(t *testing.T) {
	e := mustEnv(t)
	e.p.Handler.SetLedgerCheckEvery(0)
	ann, _ := e.signUp("Ann", true)
	before := e.scrape()
	m, files := e.album(ann, "Counted", 2)
	size := len(testmedia.PNG(64, 64)) // the cover album uploads
	for _, f := range files {
		size += len(f)
	}
	after := e.scrape()
	diff := func(name string, labels map[string]string) float64 {
		return value(after, name, labels) - value(before, name, labels)
	}
	if got := diff("megabox_uploads_started_total", nil); got != 3 {
		t.Errorf("uploads started: %v, want 3", got)
	}
	if got := diff("megabox_uploads_finished_total", map[string]string{"outcome": "stored"}); got != 3 {
		t.Errorf("uploads stored: %v, want 3", got)
	}
	if got := diff("megabox_upload_received_bytes_total", nil); got != float64(size) {
		t.Errorf("upload bytes: %v, want %d", got, size)
	}

	ctx := context.Background()
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	fan, _ := e.signUp("Fan", false)
	before = e.scrape()
	if _, err := buy(fan, rel.ID, 1000, "k1"); err != nil {
		t.Fatal(err)
	}
	after = e.scrape()
	if got := diff("megabox_purchases_total", map[string]string{"outcome": "ok"}); got != 1 {
		t.Errorf("purchases ok after one purchase: +%v, want +1", got)
	}
	if got := diff("megabox_purchases_total", nil); got != 1 {
		t.Errorf("purchases of any outcome after one purchase: +%v, want +1", got)
	}
	before = after
	_, err = buy(fan, rel.ID+1000, 1000, "k2")
	wantCode(t, err, api.ENOTFOUND)
	after = e.scrape()
	if got := diff("megabox_purchases_total", map[string]string{"outcome": api.ENOTFOUND}); got != 1 {
		t.Errorf("purchases not_found: +%v, want +1", got)
	}
	if got := diff("megabox_purchases_total", map[string]string{"outcome": "ok"}); got != 0 {
		t.Errorf("purchases ok after a refused one: +%v, want +0", got)
	}
	if v := value(after, "megabox_ledger_unbalanced", nil); v != 0 || value(after, "megabox_ledger_check_success", nil) != 1 {
		t.Errorf("ledger after a sale: unbalanced %v success %v, want 0 and 1", v, value(after, "megabox_ledger_check_success", nil))
	}
}

// TestMetricsLedgerCheck: the ledger gauge reports a journal that does not
// balance, no more often than asked, and a check that cannot read it.
func TestMetricsLedgerCheck(t *testing.T) {
	e := mustEnv(t)
	e.p.Handler.SetLedgerCheckEvery(time.Hour)
	fams := e.scrape()
	if value(fams, "megabox_ledger_unbalanced", nil) != 0 || value(fams, "megabox_ledger_check_success", nil) != 1 {
		t.Fatalf("new platform: unbalanced %v, success %v; want 0, 1",
			value(fams, "megabox_ledger_unbalanced", nil), value(fams, "megabox_ledger_check_success", nil))
	}
	// One posting with no counterpart: an unbalanced transaction, and a
	// currency whose postings do not sum to zero.
	unbalance(t, filepath.Join(e.dir, "megabox.db"))
	if v := value(e.scrape(), "megabox_ledger_unbalanced", nil); v != 0 {
		t.Errorf("within the check interval: %v, want the earlier 0", v)
	}
	e.p.Handler.SetLedgerCheckEvery(0)
	if v := value(e.scrape(), "megabox_ledger_unbalanced", nil); v != 2 {
		t.Errorf("after an unbalanced posting: %v, want 2", v)
	}
	e.p.DB.Close()
	fams = e.scrape()
	if v := value(fams, "megabox_ledger_check_success", nil); v != 0 {
		t.Errorf("check success with the database closed: %v, want 0", v)
	}
}

// unbalance writes a lone posting into the database at path.
func unbalance(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO ledger_txns (id, kind, created_at) VALUES (999999, 'sale', 0)`,
		`INSERT INTO postings (txn_id, account, currency, amount_cents) VALUES (999999, 'test', 'EUR', 5)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRequestIDs: every response names its request; the access log line
// carries the same id with the route, status and size; a client cannot
// choose its id, a trusted proxy can.
func TestRequestIDs(t *testing.T) {
	e, logs := newLoggedEnv(t, platform.DefaultConfig)
	status, body, hdr := e.raw("GET", "/api/v1/releases/424242", "", nil, mhttp.RequestIDHeader, "chosen-by-client")
	id := hdr.Get(mhttp.RequestIDHeader)
	if status != 404 || !hexID.MatchString(id) {
		t.Fatalf("response: %d, request id %q; want 404 and 32 hex digits", status, id)
	}
	rec := logs.waitFor(t, map[string]any{"msg": "request", "request_id": id})
	want := map[string]any{"method": "GET", "route": "GET /api/v1/releases/{id}", "path": "/api/v1/releases/424242", "status": 404, "bytes": len(body)}
	for k, v := range want {
		if fmt.Sprint(rec[k]) != fmt.Sprint(v) {
			t.Errorf("access log %s = %v, want %v (record %v)", k, rec[k], v, rec)
		}
	}
	if _, ok := rec["ms"].(float64); !ok {
		t.Errorf("access log has no duration: %v", rec)
	}
	if logs.find(map[string]any{"request_id": "chosen-by-client"}) != nil {
		t.Errorf("an untrusted client chose its request id")
	}
	if _, _, hdr := e.raw("GET", "/healthz", "", nil); hdr.Get(mhttp.RequestIDHeader) == id {
		t.Errorf("two requests share id %s", id)
	}
	// Refused before routing: still named.
	if _, _, hdr := e.raw("GET", "/healthz", "", nil, "Host", "evil.example"); !hexID.MatchString(hdr.Get(mhttp.RequestIDHeader)) {
		t.Errorf("refused request has id %q", hdr.Get(mhttp.RequestIDHeader))
	}
}

func TestRequestIDFromTrustedProxy(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	e, logs := newLoggedEnv(t, cfg)
	for in, keep := range map[string]bool{
		"0f8fad5b-d9cb-469f-a165-70867728950e": true,
		"nginx_ID.42":                          true,
		"has space":                            false,
		"line\u2028break":                      false,
		strings.Repeat("a", 65):                false,
	} {
		_, _, hdr := e.raw("GET", "/healthz", "", nil, mhttp.RequestIDHeader, in)
		got := hdr.Get(mhttp.RequestIDHeader)
		if keep && got != in {
			t.Errorf("proxy's id %q answered as %q", in, got)
		}
		if !keep && !hexID.MatchString(got) {
			t.Errorf("proxy's insane id %q answered as %q, want a new one", in, got)
		}
		if keep {
			logs.waitFor(t, map[string]any{"msg": "request", "request_id": in, "route": "GET /healthz"})
		}
	}
}

// busyCount records what the server tells background work.
type busyCount struct{ begun, ended atomic.Int32 }

func (b *busyCount) Begin() func() {
	b.begun.Add(1)
	return func() { b.ended.Add(1) }
}

// TestWritesTellBackgroundWorkTheServerIsBusy: a request that changes
// something marks the server busy while it is served (measurements yield
// to it); a read does not.
func TestWritesTellBackgroundWorkTheServerIsBusy(t *testing.T) {
	busy := &busyCount{}
	s, err := mhttp.NewServer(mhttp.Services{}, mhttp.Config{UploadDir: t.TempDir(), Busy: busy}, discard())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	e := &env{t: t, srv: srv}
	for _, tc := range []struct {
		method, path string
		begun        int32
	}{
		{"GET", "/healthz", 0},
		{"HEAD", "/healthz", 0},
		{"POST", "/api/v1/no-such-thing", 1},
		{"DELETE", "/api/v1/no-such-thing", 2},
	} {
		e.raw(tc.method, tc.path, "", nil)
		if b, end := busy.begun.Load(), busy.ended.Load(); b != tc.begun || end != b {
			t.Errorf("after %s %s: busy begun %d, ended %d; want %d both", tc.method, tc.path, b, end, tc.begun)
		}
	}
}
