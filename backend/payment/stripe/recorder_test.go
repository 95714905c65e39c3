package stripe

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/internal/stripetest"
)

// call is one request the provider sent, as stripe-mock received it.
type call struct {
	Method string
	Path   string
	Query  url.Values // GET parameters
	Form   url.Values // POST parameters
	Key    string     // Idempotency-Key
	Auth   string     // Authorization
	Status int        // stripe-mock's answer
	Body   []byte     // stripe-mock's answer, before any rewrite
}

// recorder is a reverse proxy in front of stripe-mock that keeps every
// request. stripe-mock checks each request against Stripe's API
// description but answers with fixed fixtures; a test that needs an answer
// stripe-mock cannot give (a second page, a fee refund) rewrites it.
type recorder struct {
	URL string

	mu    sync.Mutex
	calls []call
	// rewriteRequest changes a request's form before stripe-mock sees it.
	rewriteRequest func(form url.Values)
	// rewriteResponse changes stripe-mock's answer to the n-th request
	// (from 0) before the provider reads it.
	rewriteResponse func(n int, c call, body map[string]any)
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	target, err := url.Parse(stripetest.URL(t))
	if err != nil {
		t.Fatalf("MEGABOX_TEST_STRIPE: %v", err)
	}
	rec := &recorder{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// Plain bodies, so that answers can be rewritten.
			r.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: rec.keep,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rec.record(r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// record keeps a request's method, path, key and parameters.
func (rec *recorder) record(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return err
	}
	rec.mu.Lock()
	if rec.rewriteRequest != nil && r.Method == http.MethodPost {
		rec.rewriteRequest(form)
		body = []byte(form.Encode())
	}
	rec.calls = append(rec.calls, call{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Form: form,
		Key: r.Header.Get("Idempotency-Key"), Auth: r.Header.Get("Authorization"),
	})
	rec.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return nil
}

// keep stores stripe-mock's answer with its request, then rewrites it if
// the test asks to. The provider sends one request at a time, so the last
// call is this answer's.
func (rec *recorder) keep(res *http.Response) error {
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := len(rec.calls) - 1
	rec.calls[n].Status, rec.calls[n].Body = res.StatusCode, body
	if rec.rewriteResponse != nil && res.StatusCode == http.StatusOK {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return err
		}
		rec.rewriteResponse(n, rec.calls[n], m)
		if body, err = json.Marshal(m); err != nil {
			return err
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// Calls returns the requests so far, each checked to be accepted by
// stripe-mock.
func (rec *recorder) Calls(t *testing.T) []call {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, c := range rec.calls {
		if c.Status < 200 || c.Status > 299 {
			t.Errorf("request %d %s %s: stripe-mock answered %d: %s", i, c.Method, c.Path, c.Status, c.Body)
		}
	}
	return append([]call(nil), rec.calls...)
}

// fixture decodes stripe-mock's answer to a call.
func (c call) fixture(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", c.Method, c.Path, err)
	}
	return m
}
