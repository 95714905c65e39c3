package http

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	gosync "sync"
	"time"
)

// Transport bounds how long a client may hold a connection without making
// progress. A body slower than MinBodyRate is cut; a cut tus PATCH keeps
// the bytes that arrived, so a slow but real upload resumes from its offset.
type Transport struct {
	ReadHeaderTimeout time.Duration // a request's headers must arrive within this
	IdleTimeout       time.Duration // a kept-alive connection waits this long for its next request
	MinBodyRate       int64         // bytes per second every request body must sustain,
	BodyRateWindow    time.Duration // measured over consecutive windows of this length
}

// DefaultTransport cuts a body that brings less than 20 KiB in 20 s.
var DefaultTransport = Transport{
	ReadHeaderTimeout: 10 * time.Second,
	IdleTimeout:       2 * time.Minute,
	MinBodyRate:       1 << 10,
	BodyRateWindow:    20 * time.Second,
}

// SetTransport changes the server's connection limits; the header and
// idle timeouts apply to servers built by HTTPServer afterwards.
func (s *Server) SetTransport(t Transport) { s.transport.Store(&t) }

func (s *Server) limits() Transport {
	if t := s.transport.Load(); t != nil {
		return *t
	}
	return DefaultTransport
}

// HTTPServer returns an http.Server for s with its transport limits.
func (s *Server) HTTPServer() *http.Server {
	t := s.limits()
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.ReadHeaderTimeout,
		IdleTimeout:       t.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve runs s on l until ctx ends, then shuts down gracefully, letting
// in-flight requests finish for up to grace.
func (s *Server) Serve(ctx context.Context, l net.Listener, grace time.Duration) error {
	srv := s.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	return err
}

// errSlowBody is what a handler reads when its body falls below the
// minimum rate. It is a timeout, as tus expects of a stalled body.
var errSlowBody = slowBodyError{}

type slowBodyError struct{}

func (slowBodyError) Error() string        { return "request body arrived too slowly" }
func (slowBodyError) Timeout() bool        { return true }
func (slowBodyError) Temporary() bool      { return false }
func (slowBodyError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// connGuard owns the read deadline of one request's connection. net/http
// cancels a connection's context for good on any failed read, even one
// caused by a deadline, yet may keep the connection alive: every later
// request on it would start cancelled. So the guard sets deadlines only
// while the body is being read, never once it is complete (the server then
// watches the connection itself), and answers "Connection: close" whenever
// a read failed or a handler abandoned the body.
type connGuard struct {
	http.ResponseWriter
	conn *http.ResponseController // the connection itself

	mu      gosync.Mutex
	hasBody bool
	window  time.Duration // of the rate limit; 0 when there is none
	eof     bool          // the whole body was read
	closing bool          // the connection must not serve another request
	until   time.Time     // the current rate window ends
	wrote   bool
}

// guard wraps w and r's body for the transport limits.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	g := &connGuard{ResponseWriter: w, conn: http.NewResponseController(w)}
	if r.Body == nil || r.Body == http.NoBody {
		return g, r
	}
	g.hasBody = true
	t := s.limits()
	need := t.MinBodyRate * int64(t.BodyRateWindow) / int64(time.Second)
	if need > 0 {
		g.window = t.BodyRateWindow
	}
	r2 := *r
	r2.Body = &rateReader{g: g, body: r.Body, need: need, window: g.window}
	return g, &r2
}

// Unwrap lets http.ResponseController reach the connection.
func (g *connGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// WriteHeader marks the connection for closing when it must be. net/http
// reads what is left of an unread body before answering: that read gets
// the rate window too, or a client trickling a body the handler ignored
// would hold the answer and the connection.
func (g *connGuard) WriteHeader(code int) {
	g.mu.Lock()
	if !g.wrote && g.closing {
		g.Header().Set("Connection", "close")
	}
	if !g.wrote && g.hasBody && !g.eof && !g.closing && g.until.IsZero() && g.window > 0 {
		g.until = time.Now().Add(g.window)
		g.setDeadline(g.until)
	}
	g.wrote = true
	g.mu.Unlock()
	g.ResponseWriter.WriteHeader(code)
}

func (g *connGuard) Write(b []byte) (int, error) {
	g.mu.Lock()
	wrote := g.wrote
	g.mu.Unlock()
	if !wrote {
		g.WriteHeader(http.StatusOK)
	}
	return g.ResponseWriter.Write(b)
}

// SetReadDeadline is how handlers (tus) reach the connection through
// http.ResponseController. Moving the deadline into the past abandons the
// body: that is passed on while the body is unread, and the connection is
// then closed after the response. Later deadlines are left to the rate
// window.
func (g *connGuard) SetReadDeadline(t time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.hasBody || g.eof || t.IsZero() || t.After(time.Now()) {
		return nil
	}
	g.closing = true
	return g.conn.SetReadDeadline(t)
}

// SetWriteDeadline implements the ResponseController method.
func (g *connGuard) SetWriteDeadline(t time.Time) error { return g.conn.SetWriteDeadline(t) }

// rateReader enforces the minimum body rate: each window must bring
// need bytes before it ends, or the read fails and the connection closes.
type rateReader struct {
	g      *connGuard
	body   io.ReadCloser
	need   int64
	window time.Duration
	got    int64 // bytes in the current window
}

func (r *rateReader) Read(p []byte) (int, error) {
	r.startWindow(false)
	n, err := r.body.Read(p)
	r.got += int64(n)
	switch {
	case err == io.EOF:
		r.finished()
	case err != nil:
		err = r.failed(err)
	case r.got >= r.need:
		r.startWindow(true)
	}
	return n, err
}

// startWindow sets the deadline for the next need bytes: on the first read,
// or (next) once the current window has brought enough.
func (r *rateReader) startWindow(next bool) {
	g := r.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.need <= 0 || g.closing || g.eof || (!next && !g.until.IsZero()) {
		return
	}
	r.got = 0
	g.until = time.Now().Add(r.window)
	g.setDeadline(g.until)
}

// finished lifts the deadline so it cannot fire on the server's own read of
// the connection; if it may have fired already, the connection closes.
func (r *rateReader) finished() {
	g := r.g
	g.mu.Lock()
	defer g.mu.Unlock()
	g.eof = true
	if g.closing || g.until.IsZero() {
		return
	}
	g.setDeadline(time.Time{})
	if !time.Now().Before(g.until) {
		g.closing = true
	}
}

func (r *rateReader) failed(err error) error {
	g := r.g
	g.mu.Lock()
	defer g.mu.Unlock()
	abandoned := g.closing
	g.closing = true
	var ne net.Error
	if !abandoned && errors.As(err, &ne) && ne.Timeout() {
		return errSlowBody
	}
	return err
}

func (r *rateReader) Close() error { return r.body.Close() }

// setDeadline moves the connection's read deadline; a connection that
// refuses it is already broken, so it closes after this response.
func (g *connGuard) setDeadline(t time.Time) {
	if err := g.conn.SetReadDeadline(t); err != nil {
		g.closing = true
	}
}
