package http

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	gosync "sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/megabox-fm/megabox/backend/api"
)

// Every label value below comes from a fixed set (route patterns, method
// names, status classes, error codes), never from a request, so no client
// can grow the series a scraper stores.

// DefaultLedgerCheckEvery is how stale the ledger check /metrics reports
// may be: the check reads the whole journal, too much for every scrape.
const DefaultLedgerCheckEvery = 5 * time.Minute

// ledgerCheckTimeout bounds one ledger check.
const ledgerCheckTimeout = 30 * time.Second

// metrics are one server's Prometheus metrics, in a registry of their own
// so two servers in one process (tests, the desktop app) never collide.
type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	uploadsStarted  prometheus.Counter
	uploadsFinished *prometheus.CounterVec
	uploadBytes     prometheus.Counter
	readBack        prometheus.Counter
	purchases       *prometheus.CounterVec
	ledger          *ledgerCollector
}

func newMetrics(ledgerCheck func(context.Context) (int, error), log *slog.Logger) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "megabox_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 120},
		}, []string{"route", "method", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "megabox_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
		uploadsStarted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "megabox_uploads_started_total",
			Help: "Uploads created.",
		}),
		uploadsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "megabox_uploads_finished_total",
			Help: "Uploads whose last byte arrived, by outcome: stored, or the error code that discarded them.",
		}, []string{"outcome"}),
		uploadBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "megabox_upload_received_bytes_total",
			Help: "Bytes of upload bodies read from clients.",
		}),
		readBack: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "megabox_uploads_read_back_total",
			Help: "Finished uploads read back to hash them because the running hash missed some of their bytes (a restart, a lost state).",
		}),
		purchases: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "megabox_purchases_total",
			Help: "Purchase requests by outcome: ok (a purchase answered, replays of an idempotency key included), or the error code.",
		}, []string{"outcome"}),
	}
	m.uploadsFinished.WithLabelValues("stored")
	m.purchases.WithLabelValues("ok")
	m.reg.MustRegister(m.requests, m.inFlight, m.uploadsStarted, m.uploadsFinished, m.uploadBytes, m.readBack, m.purchases,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if ledgerCheck != nil {
		m.ledger = newLedgerCollector(ledgerCheck, log)
		m.reg.MustRegister(m.ledger)
	}
	return m
}

// observe records one answered request. route is the pattern that served
// it, "" for a request refused before routing.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "none"
	}
	m.requests.WithLabelValues(route, methodLabel(method), statusClass(status)).Observe(took.Seconds())
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return string(rune('0'+status/100)) + "xx"
}

// outcome names a result for a label: ok, or the error's code (a fixed set).
func outcome(err error, ok string) string {
	if err == nil {
		return ok
	}
	return api.ErrorCode(err)
}

func (m *metrics) purchased(err error) { m.purchases.WithLabelValues(outcome(err, "ok")).Inc() }

func (m *metrics) uploadFinished(err error) {
	m.uploadsFinished.WithLabelValues(outcome(err, "stored")).Inc()
}

// Metrics returns the handler that serves the server's metrics in the
// Prometheus exposition format. It is meant for a listener of its own,
// reachable by the scraper only: the counts are the operator's business.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		Registry:          s.metrics.reg,
		EnableOpenMetrics: true,
	})
}

// SetLedgerCheckEvery changes how old a ledger check /metrics reports may
// be; 0 checks on every scrape.
func (s *Server) SetLedgerCheckEvery(d time.Duration) {
	if s.metrics.ledger != nil {
		s.metrics.ledger.setEvery(d)
	}
}

// ledgerCollector reports the ledger check, run on a scrape when the last
// result is older than every. Scrapes that arrive together share one check.
type ledgerCollector struct {
	check func(context.Context) (int, error)
	log   *slog.Logger

	unbalanced, ok, at *prometheus.Desc

	mu         gosync.Mutex
	every      time.Duration
	checked    time.Time // zero: never
	result     int
	haveResult bool // a check has succeeded
	err        error
}

func newLedgerCollector(check func(context.Context) (int, error), log *slog.Logger) *ledgerCollector {
	return &ledgerCollector{
		check: check,
		log:   log,
		every: DefaultLedgerCheckEvery,
		unbalanced: prometheus.NewDesc("megabox_ledger_unbalanced",
			"Unbalanced ledger transactions and currencies found by the last successful ledger check; anything but 0 needs an operator.", nil, nil),
		ok: prometheus.NewDesc("megabox_ledger_check_success",
			"1 if the last ledger check read the whole journal, 0 if it failed.", nil, nil),
		at: prometheus.NewDesc("megabox_ledger_check_timestamp_seconds",
			"When the last ledger check ran, in seconds since the Unix epoch.", nil, nil),
	}
}

func (c *ledgerCollector) setEvery(d time.Duration) {
	c.mu.Lock()
	c.every = d
	c.mu.Unlock()
}

func (c *ledgerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.unbalanced
	ch <- c.ok
	ch <- c.at
}

func (c *ledgerCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.checked.IsZero() || time.Since(c.checked) >= c.every {
		c.run()
	}
	success := 0.0
	if c.err == nil {
		success = 1
	}
	ch <- prometheus.MustNewConstMetric(c.ok, prometheus.GaugeValue, success)
	ch <- prometheus.MustNewConstMetric(c.at, prometheus.GaugeValue, float64(c.checked.UnixNano())/1e9)
	if c.haveResult {
		ch <- prometheus.MustNewConstMetric(c.unbalanced, prometheus.GaugeValue, float64(c.result))
	}
}

// run checks the ledger; c.mu is held.
func (c *ledgerCollector) run() {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerCheckTimeout)
	defer cancel()
	n, err := c.check(ctx)
	c.checked, c.err = time.Now(), err
	if err != nil {
		c.log.Error("ledger check", "err", err)
		return
	}
	c.result, c.haveResult = n, true
}

// countingBody counts the bytes a handler reads from a request body.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// uploadReadBack counts a finished upload hashed by reading it again.
func (m *metrics) uploadReadBack() { m.readBack.Inc() }
