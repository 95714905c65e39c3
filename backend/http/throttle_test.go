package http_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

// perHash is the memory one argon2id hash takes with the platform's
// parameters.
var perHash = int64(auth.DefaultParams.Memory) << 10

// hashGate counts password hashes in flight and, while held, keeps every
// hash that got its memory from starting.
type hashGate struct {
	inFlight, most, total atomic.Int64
	held                  atomic.Pointer[chan struct{}]
}

func (g *hashGate) enter() func() {
	n := g.inFlight.Add(1)
	g.total.Add(1)
	for m := g.most.Load(); n > m && !g.most.CompareAndSwap(m, n); m = g.most.Load() {
	}
	if ch := g.held.Load(); ch != nil {
		<-*ch
	}
	return func() { g.inFlight.Add(-1) }
}

func (g *hashGate) hold() {
	ch := make(chan struct{})
	g.held.Store(&ch)
}

func (g *hashGate) release() {
	if ch := g.held.Swap(nil); ch != nil {
		close(*ch)
	}
}

// gatedEnv is a platform whose hashing has room for slots hashes at once,
// waits at most wait for room, and reports to a gate.
func gatedEnv(t *testing.T, slots int64, wait time.Duration) (*env, *hashGate) {
	g := &hashGate{}
	cfg := platform.DefaultConfig
	cfg.Hashing = auth.Limits{Memory: slots * perHash, Wait: wait, Enter: g.enter}
	e := newEnv(t, cfg)
	t.Cleanup(g.release) // runs before the server closes, which waits for held requests
	return e, g
}

// openSignUps is the default configuration without the sign-up limit, for
// tests that need many accounts from one address.
func openSignUps() platform.Config {
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 0
	return cfg
}

// from returns an HTTP client whose connections leave from ip, a loopback
// address, so per-address limits can be told apart.
func from(t *testing.T, ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 100}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type reply struct {
	status int
	code   string
	hdr    http.Header
	err    error
}

// post sends a JSON body with headers given as name, value pairs; it is
// safe to call from any goroutine.
func post(hc *http.Client, url, body string, hdr ...string) reply {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	var p struct{ Code string }
	json.Unmarshal(b, &p)
	return reply{status: resp.StatusCode, code: p.Code, hdr: resp.Header, err: err}
}

func signInBody(email, password string) string {
	return fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)
}

func signUpBody(email string) string {
	return fmt.Sprintf(`{"email":%q,"password":"long enough pw","display_name":"X"}`, email)
}

// next returns the next reply, failing the test if none comes in a minute.
func next(t *testing.T, replies <-chan reply) reply {
	t.Helper()
	select {
	case r := <-replies:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r
	case <-time.After(time.Minute):
		t.Fatal("no reply within a minute")
	}
	return reply{}
}

// With room for two hashes, a burst of sign-ins and sign-ups never has
// more than two in flight; those that find no room within the wait are
// told to come back (503, Retry-After), and nothing is lost for the rest.
func TestPasswordHashesAreBounded(t *testing.T) {
	e, g := gatedEnv(t, 2, 50*time.Millisecond)
	hc := from(t, "127.0.0.1")
	g.hold()
	const n = 10
	replies := make(chan reply, n)
	for i := range n {
		go func() {
			if i%2 == 0 {
				replies <- post(hc, e.srv.URL+"/api/v1/accounts", signUpBody(fmt.Sprintf("new%d@example.com", i)))
			} else {
				replies <- post(hc, e.srv.URL+"/api/v1/sessions", signInBody(fmt.Sprintf("nobody%d@example.com", i), "whatever pw"))
			}
		}()
	}
	// The two hashes held by the gate keep their memory: all others give up.
	for range n - 2 {
		r := next(t, replies)
		if r.status != 503 || r.code != api.EBUSY || r.hdr.Get("Retry-After") == "" || r.hdr.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("while two hashes run: %d %q, Retry-After %q; want 503 %q with Retry-After", r.status, r.code, r.hdr.Get("Retry-After"), api.EBUSY)
		}
	}
	wait.Until(t, time.Minute, "two hashes are in flight", func() bool { return g.inFlight.Load() == 2 })
	g.release()
	for range 2 {
		if r := next(t, replies); r.status != 201 && r.status != 401 {
			t.Errorf("a hash that had room: %d %q, want 201 (sign-up) or 401 (unknown account)", r.status, r.code)
		}
	}
	if got := g.most.Load(); got != 2 {
		t.Errorf("at most %d hashes in flight, want 2", got)
	}
	if got := g.total.Load(); got != 2 {
		t.Errorf("%d hashes ran, want 2", got)
	}
}

// Twenty-four sign-ins at once with room for two hashes: never more than
// two hold their 19 MiB at once (unbounded, all twenty-four would: 450 MiB);
// the rest wait their turn and every one is answered. The gate's in-flight
// count is the measure: a heap statistic read after the burst either never
// shrinks (HeapSys, so a second run in one process cannot fail) or is back
// to normal once the hashes' memory is collected (HeapInuse).
func TestHashingMemoryIsBounded(t *testing.T) {
	e, g := gatedEnv(t, 2, time.Minute)
	hc := from(t, "127.0.0.1")
	g.hold()
	const n = 24
	replies := make(chan reply, n)
	for i := range n {
		go func() {
			replies <- post(hc, e.srv.URL+"/api/v1/sessions", signInBody(fmt.Sprintf("nobody%d@example.com", i), "whatever pw"))
		}()
	}
	wait.Until(t, time.Minute, "two hashes hold their memory", func() bool { return g.inFlight.Load() == 2 })
	g.release()
	for range n {
		if r := next(t, replies); r.status != 401 {
			t.Fatalf("sign-in for an unknown account: %d %q, want 401", r.status, r.code)
		}
	}
	if got := g.most.Load(); got != 2 {
		t.Errorf("at most %d hashes held memory at once, want 2", got)
	}
	if got := g.total.Load(); got != n {
		t.Errorf("%d hashes ran, want %d (each sign-in waits its turn)", got, n)
	}
}

// Sign-ups are limited per address: the eleventh in an hour from one
// address is refused (429, Retry-After) while another address still signs
// up, and forms refused as invalid do not count.
func TestSignUpsThrottledPerAddress(t *testing.T) {
	e := mustEnv(t)
	url := e.srv.URL + "/api/v1/accounts"
	one, two, three := from(t, "127.0.0.2"), from(t, "127.0.0.3"), from(t, "127.0.0.4")
	for i := range 10 {
		if r := post(one, url, signUpBody(fmt.Sprintf("one%d@example.com", i))); r.err != nil || r.status != 201 {
			t.Fatalf("sign-up %d from one address: %d %q %v, want 201", i+1, r.status, r.code, r.err)
		}
	}
	r := post(one, url, signUpBody("one-more@example.com"))
	if r.status != 429 || r.code != api.ERATELIMIT || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("eleventh sign-up from one address: %d %q, Retry-After %q; want 429 with Retry-After", r.status, r.code, r.hdr.Get("Retry-After"))
	}
	if r := post(two, url, signUpBody("two@example.com")); r.status != 201 {
		t.Fatalf("sign-up from another address: %d %q, want 201", r.status, r.code)
	}
	for range 12 {
		if r := post(three, url, `{"email":"not an email","password":"long enough pw","display_name":"X"}`); r.status != 400 {
			t.Fatalf("invalid sign-up: %d %q, want 400", r.status, r.code)
		}
	}
	if r := post(three, url, signUpBody("three@example.com")); r.status != 201 {
		t.Fatalf("sign-up after invalid forms: %d %q, want 201", r.status, r.code)
	}
}

// gatedEnvWithEve is a gated platform (room for slots hashes) with one
// account, eve@example.com, whose sign-up is not in the gate's counts.
func gatedEnvWithEve(t *testing.T, slots int64) (*env, *hashGate) {
	t.Helper()
	e, g := gatedEnv(t, slots, 10*time.Minute)
	if r := post(from(t, "127.0.0.1"), e.srv.URL+"/api/v1/accounts", signUpBody("eve@example.com")); r.status != 201 {
		t.Fatalf("sign-up: %d %q", r.status, r.code)
	}
	g.most.Store(0)
	g.total.Store(0)
	return e, g
}

// guessBurst sends n wrong sign-ins at once from hc while the gate holds
// every password check, then checks that exactly checked of them are being
// evaluated and the rest refused (429) before any check ends. It returns
// the channel the held replies will arrive on.
func guessBurst(t *testing.T, e *env, g *hashGate, hc *http.Client, n, checked int, email func(i int) string) <-chan reply {
	t.Helper()
	g.hold()
	replies := make(chan reply, n)
	for i := range n {
		go func() { replies <- post(hc, e.srv.URL+"/api/v1/sessions", signInBody(email(i), "wrong guess")) }()
	}
	for range n - checked {
		r := next(t, replies)
		if r.status != 429 || r.code != api.ERATELIMIT || r.hdr.Get("Retry-After") == "" {
			t.Fatalf("guess beyond the limit: %d %q, Retry-After %q; want 429 with Retry-After", r.status, r.code, r.hdr.Get("Retry-After"))
		}
	}
	return replies
}

// Forty parallel guesses for one account: exactly five are checked (401),
// thirty-five refused (429), and the right password sent while the five are
// still being checked is refused too.
func TestParallelGuessesForOneAccount(t *testing.T) {
	e, g := gatedEnvWithEve(t, 2)
	url := e.srv.URL + "/api/v1/sessions"
	held := guessBurst(t, e, g, from(t, "127.0.0.5"), 40, 5, func(int) string { return "eve@example.com" })
	r := post(from(t, "127.0.0.6"), url, signInBody("EVE@example.com", "long enough pw"))
	if r.status != 429 || r.code != api.ERATELIMIT {
		t.Fatalf("right password after the limit, in the burst: %d %q, want 429", r.status, r.code)
	}
	g.release()
	for range 5 {
		if r := next(t, held); r.status != 401 {
			t.Errorf("checked guess: %d %q, want 401", r.status, r.code)
		}
	}
	if got := g.total.Load(); got != 5 {
		t.Errorf("%d passwords checked, want 5", got)
	}
}

// Sixty parallel guesses for different accounts from one address: exactly
// fifty are checked, ten refused, and that address cannot sign in to a real
// account with the right password while the fifty are being checked;
// another address can.
func TestParallelGuessesFromOneAddress(t *testing.T) {
	e, g := gatedEnvWithEve(t, 4)
	url := e.srv.URL + "/api/v1/sessions"
	hc := from(t, "127.0.0.7")
	held := guessBurst(t, e, g, hc, 60, 50, func(i int) string { return fmt.Sprintf("guess%d@example.com", i) })
	r := post(hc, url, signInBody("eve@example.com", "long enough pw"))
	if r.status != 429 || r.code != api.ERATELIMIT {
		t.Fatalf("right password from the guessing address: %d %q, want 429", r.status, r.code)
	}
	g.release()
	for range 50 {
		if r := next(t, held); r.status != 401 {
			t.Errorf("checked guess: %d %q, want 401", r.status, r.code)
		}
	}
	if r := post(from(t, "127.0.0.8"), url, signInBody("eve@example.com", "long enough pw")); r.status != 201 {
		t.Fatalf("right password from another address: %d %q, want 201", r.status, r.code)
	}
	if got := g.total.Load(); got != 51 {
		t.Errorf("%d passwords checked, want 51 (fifty guesses and one right password)", got)
	}
}

// Behind a trusted reverse proxy, sign-ups are limited per client as the
// proxy names it in X-Forwarded-For; the header from any other peer is
// ignored, so a client cannot escape its limit by writing one.
func TestSignUpsLimitedPerForwardedClient(t *testing.T) {
	cfg := platform.DefaultConfig
	cfg.SignUpsPerHour = 2
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
	e := newEnv(t, cfg)
	url := e.srv.URL + "/api/v1/accounts"
	proxy, direct := from(t, "127.0.0.2"), from(t, "127.0.0.3")
	signUp := func(hc *http.Client, email, forwardedFor string) reply {
		t.Helper()
		r := post(hc, url, signUpBody(email), "X-Forwarded-For", forwardedFor)
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r
	}
	for i := range 2 {
		if r := signUp(proxy, fmt.Sprintf("one%d@example.com", i), "198.51.100.1"); r.status != 201 {
			t.Fatalf("sign-up %d for the first client behind the proxy: %d %q, want 201", i+1, r.status, r.code)
		}
	}
	if r := signUp(proxy, "one-more@example.com", "203.0.113.50, 198.51.100.1"); r.status != 429 || r.code != api.ERATELIMIT {
		t.Fatalf("third sign-up for the first client (own entry on the left): %d %q, want 429", r.status, r.code)
	}
	if r := signUp(proxy, "two@example.com", "198.51.100.2"); r.status != 201 {
		t.Fatalf("sign-up for a second client behind the same proxy: %d %q, want 201", r.status, r.code)
	}
	for i := range 2 {
		if r := signUp(direct, fmt.Sprintf("direct%d@example.com", i), fmt.Sprintf("192.0.2.%d", i)); r.status != 201 {
			t.Fatalf("direct sign-up %d: %d %q, want 201", i+1, r.status, r.code)
		}
	}
	if r := signUp(direct, "direct-more@example.com", "192.0.2.99"); r.status != 429 || r.code != api.ERATELIMIT {
		t.Fatalf("third direct sign-up with a new X-Forwarded-For: %d %q, want 429 (header ignored)", r.status, r.code)
	}
}

// When the sign-in throttle is full, a sign-in that needs a new key is
// refused (429) rather than letting the table grow, while keys already in
// it are still counted.
func TestFullThrottleRefusesNewKeys(t *testing.T) {
	e := mustEnv(t)
	mhttp.SetThrottleBound(e.p.Handler, 3)
	url := e.srv.URL + "/api/v1/sessions"
	hc := from(t, "127.0.0.9")
	for _, email := range []string{"a@example.com", "b@example.com"} { // three keys: two accounts, one address
		if r := post(hc, url, signInBody(email, "wrong guess")); r.status != 401 {
			t.Fatalf("sign-in for %s with room: %d %q, want 401", email, r.status, r.code)
		}
	}
	r := post(hc, url, signInBody("c@example.com", "wrong guess"))
	if r.status != 429 || r.code != api.ERATELIMIT || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("sign-in needing a new key in a full table: %d %q, Retry-After %q; want 429 with Retry-After", r.status, r.code, r.hdr.Get("Retry-After"))
	}
	for i := range 4 {
		if r := post(hc, url, signInBody("a@example.com", "wrong guess")); r.status != 401 {
			t.Fatalf("guess %d for a known account in a full table: %d %q, want 401", i+2, r.status, r.code)
		}
	}
	if r := post(hc, url, signInBody("a@example.com", "wrong guess")); r.status != 429 || r.code != api.ERATELIMIT {
		t.Fatalf("sixth guess for a known account: %d %q, want 429", r.status, r.code)
	}
}
