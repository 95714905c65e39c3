package http

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

func (s *Server) insightRoutes() {
	m := s.mux
	m.Handle("POST /api/v1/plays", s.handle(s.insightEnabled(s.reportPlay)))
	m.Handle("GET /api/v1/me/insight", s.handle(s.insightEnabled(s.insight)))
}

func (s *Server) insightEnabled(next func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.svc.Insight == nil {
			return api.Errorf(api.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path)
		}
		return next(w, r)
	}
}

func (s *Server) reportPlay(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TrackID int64 `json:"track_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.TrackID <= 0 {
		return api.FieldErrorf("track_id", "must be a track id")
	}
	if err := s.svc.Insight.ReportPlay(r.Context(), in.TrackID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) insight(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := api.InsightFilter{}
	var err error
	if f.From, err = queryTime(q.Get("from"), "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(q.Get("to"), "to"); err != nil {
		return err
	}
	if v := q.Get("release"); v != "" {
		if f.ReleaseID, err = strconv.ParseInt(v, 10, 64); err != nil || f.ReleaseID <= 0 {
			return api.FieldErrorf("release", "must be a release id")
		}
	}
	switch format := q.Get("format"); format {
	case "", "json":
	case "csv":
	default:
		return api.FieldErrorf("format", "must be json or csv, not %q", format)
	}
	in, err := s.svc.Insight.Insight(r.Context(), f)
	if err != nil {
		return err
	}
	if q.Get("format") == "csv" {
		return writeInsightCSV(w, in)
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// writeInsightCSV writes one line per release and day.
func writeInsightCSV(w http.ResponseWriter, in *api.Insight) error {
	cw := startCSV(w, "megabox-insight.csv")
	cw.Write([]string{"day", "release_id", "release", "plays", "previews", "sales", "gross", "currency", "conversion"})
	for _, d := range in.Days {
		cw.Write([]string{d.Day, itoa(d.ReleaseID), cell(d.ReleaseTitle), itoa(d.Plays), itoa(d.Previews), itoa(d.Sales),
			decimal(d.GrossCents), in.Currency, rate(d.Conversion)})
	}
	cw.Flush()
	return cw.Error()
}

// rate writes a ratio with four decimals; empty when there is none.
func rate(r *float64) string {
	if r == nil {
		return ""
	}
	return strconv.FormatFloat(*r, 'f', 4, 64)
}

// countPreview counts a preview's start: a GET from its first byte that
// is not a revalidation. Nothing about the listener is kept; a Range that
// continues a preview, a HEAD, or a browser asking whether its copy is
// still good (it heard it before) counts nothing. A draft's preview is
// its creator's or buyers' and counts nothing either. A count that fails
// is logged: the listener still gets the preview.
func (s *Server) countPreview(r *http.Request, trackID int64) {
	if s.svc.Insight == nil || r.Method != http.MethodGet {
		return
	}
	h := r.Header
	if h.Get("If-None-Match") != "" || h.Get("If-Modified-Since") != "" || h.Get("If-Range") != "" {
		return
	}
	if rg := strings.TrimSpace(h.Get("Range")); rg != "" && !strings.HasPrefix(strings.ReplaceAll(rg, " ", ""), "bytes=0-") {
		return
	}
	if err := s.svc.Insight.CountPreview(r.Context(), trackID); err != nil {
		s.log.WarnContext(r.Context(), "count a preview", "track", trackID, "err", err)
	}
}

// ReportPlay implements api.InsightService.
func (c *Client) ReportPlay(ctx context.Context, trackID int64) error {
	return c.call(ctx, http.MethodPost, "/api/v1/plays", map[string]int64{"track_id": trackID}, nil)
}

// CountPreview implements api.InsightService: over HTTP a preview is
// counted by fetching it.
func (c *Client) CountPreview(ctx context.Context, trackID int64) error {
	return api.Errorf(api.EUNSUPPORTED, "previews are counted by the server that serves them")
}

// Insight implements api.InsightService.
func (c *Client) Insight(ctx context.Context, f api.InsightFilter) (*api.Insight, error) {
	var in api.Insight
	return &in, c.call(ctx, http.MethodGet, "/api/v1/me/insight?"+insightQuery(f, ""), nil, &in)
}

// InsightCSV writes the caller's insight as CSV to w.
func (c *Client) InsightCSV(ctx context.Context, f api.InsightFilter, w io.Writer) error {
	return c.download(ctx, "/api/v1/me/insight?"+insightQuery(f, "csv"), w)
}

func insightQuery(f api.InsightFilter, format string) string {
	v := url.Values{}
	if !f.From.IsZero() {
		v.Set("from", f.From.UTC().Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	if f.ReleaseID != 0 {
		v.Set("release", itoa(f.ReleaseID))
	}
	if format != "" {
		v.Set("format", format)
	}
	return v.Encode()
}
