package http

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// TestAbortedRequestLeavesFlight: a handler that aborts its response
// (http.ErrAbortHandler) is no longer counted as in flight.
func TestAbortedRequestLeavesFlight(t *testing.T) {
	s, err := NewServer(Services{}, Config{UploadDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	srv := httptest.NewServer(s)
	defer srv.Close()
	for range 3 {
		if resp, err := http.Get(srv.URL + "/abort"); err == nil {
			resp.Body.Close()
			t.Fatalf("aborted request answered %s", resp.Status)
		}
	}
	var m dto.Metric
	if err := s.metrics.inFlight.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetGauge().GetValue(); got != 0 {
		t.Fatalf("in flight after 3 aborted requests: %v, want 0", got)
	}
}
