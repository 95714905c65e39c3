package http

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// A web page in the user's browser can reach a server on loopback: through
// DNS rebinding (its own name, resolved to 127.0.0.1, so the Host header
// names it) or with a "simple" cross-site request (a form or text/plain
// body, sent without asking). So every request must name a host the server
// serves, and every body must declare the type the endpoint reads, which a
// simple cross-site request cannot.

// hostList is the set of Host values a server answers to. A name without a
// port matches it on any port.
type hostList struct {
	exact   map[string]bool // host:port
	anyPort map[string]bool // host
}

// AllowHosts sets the Host values the server answers to, e.g.
// "127.0.0.1:8080" or "megabox.example" (any port). With none set it
// answers only to loopback names: localhost, 127.0.0.1 and [::1].
func (s *Server) AllowHosts(hosts ...string) {
	l := &hostList{exact: map[string]bool{}, anyPort: map[string]bool{}}
	for _, h := range hosts {
		h = normalHost(h)
		if _, _, err := net.SplitHostPort(h); err == nil {
			l.exact[h] = true
		} else {
			l.anyPort[strings.Trim(h, "[]")] = true
		}
	}
	s.hosts.Store(l)
}

func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// hostAllowed reports whether the server answers to the request's Host.
func (s *Server) hostAllowed(host string) bool {
	host = normalHost(host)
	name, _, err := net.SplitHostPort(host)
	if err != nil {
		name = strings.Trim(host, "[]")
	}
	l := s.hosts.Load()
	if l == nil {
		ip := net.ParseIP(name)
		return name == "localhost" || (ip != nil && ip.IsLoopback())
	}
	return l.exact[host] || l.anyPort[name]
}

// HostsFor lists the Host values a server listening on addr answers to by
// default: the address itself, and localhost on the same port when it is a
// loopback address. A server on a wildcard address has no default.
func HostsFor(addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil || ip.IsUnspecified():
		return nil
	case ip.IsLoopback():
		return []string{net.JoinHostPort(host, port), net.JoinHostPort("localhost", port)}
	}
	return []string{net.JoinHostPort(host, port)}
}

// admit refuses a request for another host, or whose body is not of the
// type the endpoint reads, before any handler sees it.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	if !s.hostAllowed(r.Host) {
		writeProblem(w, http.StatusMisdirectedRequest, &api.Error{Code: api.EINVALID, Field: "Host",
			Message: "this server does not answer to host " + strconv.Quote(truncate(r.Host, 100))})
		return false
	}
	want := "application/json"
	switch {
	case strings.HasPrefix(r.URL.Path, UploadsPath):
		want = "application/offset+octet-stream"
	case !strings.HasPrefix(r.URL.Path, "/api/"):
		want = "application/x-www-form-urlencoded" // web pages' forms, the payment page's
	}
	if !needsType(r) || mediaType(r) == want {
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/unsubscribe/") && mediaType(r) == "multipart/form-data" {
		return true // RFC 8058 lets a mail client's one-click POST use either form encoding
	}
	writeProblem(w, http.StatusUnsupportedMediaType, &api.Error{Code: api.EUNSUPPORTED, Field: "Content-Type",
		Message: "send this request's body as Content-Type: " + want})
	return false
}

// needsType reports whether r must declare its body's type: it carries a
// body, on a method that changes something. A tus PATCH always does, as
// tus requires.
func needsType(r *http.Request) bool {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodDelete:
		return r.ContentLength != 0
	case http.MethodPatch:
		return true
	}
	return false
}

func mediaType(r *http.Request) string {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return t
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// writeProblem answers with a problem document whose status is fixed by
// the transport rule that refused the request rather than by its code.
func writeProblem(w http.ResponseWriter, status int, err error) {
	p := problemFor(err)
	p.Status, p.Title = status, http.StatusText(status)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Connection", "close")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p) // after the status line a failed write has no one to tell
}
