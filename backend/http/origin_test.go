package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// send is raw with a chosen Host header; it returns the problem, if any.
func (e *env) send(host, method, path, token string, body string, hdr ...string) (int, mhttp.Problem) {
	e.t.Helper()
	status, b, _ := e.raw(method, path, token, strings.NewReader(body), append([]string{"Host", host}, hdr...)...)
	var p mhttp.Problem
	json.Unmarshal(b, &p)
	return status, p
}

func (e *env) port() string {
	_, port, _ := net.SplitHostPort(e.srv.Listener.Addr().String())
	return port
}

// TestUnknownHostRefused: a request naming another host (DNS rebinding)
// is refused before any handler runs; nothing is created.
func TestUnknownHostRefused(t *testing.T) {
	e := mustEnv(t)
	signUp := `{"email":"eve@example.com","password":"long enough pw","display_name":"Eve"}`
	for _, host := range []string{"evil.example", "evil.example:" + e.port(), "127.0.0.1.evil.example:" + e.port(), "10.0.0.1:" + e.port()} {
		status, p := e.send(host, "POST", "/api/v1/accounts", "", signUp, "Content-Type", "application/json")
		if status != http.StatusMisdirectedRequest || p.Code != api.EINVALID || p.Field != "Host" {
			t.Errorf("Host %s: %d %+v, want 421 invalid on field Host", host, status, p)
		}
	}
	_, err := e.client().CreateSession(context.Background(), api.Credentials{Email: "eve@example.com", Password: "long enough pw"})
	wantCode(t, err, api.EUNAUTHORIZED)

	// Loopback names are served by default. Health checks answer only to
	// the server's names too: /readyz tells a page on another site
	// whether the database is up.
	for _, host := range []string{"127.0.0.1:" + e.port(), "localhost:" + e.port(), "LOCALHOST:" + e.port(), "[::1]:" + e.port()} {
		if status, _ := e.send(host, "GET", "/api/v1/releases", "", ""); status != 200 {
			t.Errorf("Host %s: %d, want 200", host, status)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _ := e.send("evil.example", "GET", path, "", ""); status != http.StatusMisdirectedRequest {
			t.Errorf("%s for another host: %d, want 421", path, status)
		}
	}

	// An explicit list is exact: the embedded platform's own address only.
	e.p.Handler.AllowHosts("127.0.0.1:"+e.port(), "localhost:"+e.port())
	for host, want := range map[string]int{"127.0.0.1:" + e.port(): 200, "localhost:" + e.port(): 200, "[::1]:" + e.port(): 421, "localhost:1": 421} {
		if status, _ := e.send(host, "GET", "/api/v1/releases", "", ""); status != want {
			t.Errorf("allow-listed server, Host %s: %d, want %d", host, status, want)
		}
	}
}

// TestUnknownHostBodyUntouched: the refusal does not wait for the body.
func TestUnknownHostBodyUntouched(t *testing.T) {
	e := mustEnv(t)
	conn := e.dial()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "POST /api/v1/accounts HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest || !resp.Close {
		t.Fatalf("answer %d close=%v, want 421 and the connection closed", resp.StatusCode, resp.Close)
	}
}

func TestHostsFor(t *testing.T) {
	for addr, want := range map[string][]string{
		"127.0.0.1:8080":  {"127.0.0.1:8080", "localhost:8080"},
		"[::1]:9000":      {"[::1]:9000", "localhost:9000"},
		"192.0.2.10:443":  {"192.0.2.10:443"},
		"0.0.0.0:8080":    nil,
		"[::]:8080":       nil,
		"megabox.example": nil,
	} {
		if got := mhttp.HostsFor(addr); !reflect.DeepEqual(got, want) {
			t.Errorf("HostsFor(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestBodiesMustDeclareJSON: a body a cross-site page could send without
// asking (text/plain, a form) is refused with 415 and changes nothing.
func TestBodiesMustDeclareJSON(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	ann, acct := e.signUp("ann", true)
	m, _ := e.album(ann, "Night Drive", 1)
	rel, err := ann.CreateRelease(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.PublishRelease(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	host := "127.0.0.1:" + e.port()
	creds := fmt.Sprintf(`{"email":%q,"password":"long enough pw"}`, acct.Email)
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		status, p := e.send(host, "POST", "/api/v1/sessions", "", creds, "Content-Type", ct)
		if status != http.StatusUnsupportedMediaType || p.Code != api.EUNSUPPORTED || p.Field != "Content-Type" {
			t.Errorf("sign-in as %q: %d %+v, want 415 on field Content-Type", ct, status, p)
		}
		status, _ = e.send(host, "POST", fmt.Sprintf("/api/v1/releases/%d/unpublish", rel.ID), ann.Token(), "{}", "Content-Type", ct)
		if status != http.StatusUnsupportedMediaType {
			t.Errorf("unpublish as %q: %d, want 415", ct, status)
		}
	}
	got, err := e.client().FindRelease(ctx, rel.ID)
	if err != nil || got.State != api.StatePublished {
		t.Fatalf("release after refused unpublishes = %+v, %v; want it published", got, err)
	}
	// JSON, with or without a charset, is read.
	if status, _ := e.send(host, "POST", "/api/v1/sessions", "", creds, "Content-Type", "application/json; charset=utf-8"); status != http.StatusCreated {
		t.Fatalf("sign-in as application/json; charset=utf-8: %d, want 201", status)
	}
	// tus PATCH bodies are application/offset+octet-stream, as tus says.
	data := randomBytes(100)
	p := e.createUpload(ann.Token(), len(data), hexSHA(data))
	status, prob := e.send(host, "PATCH", p, ann.Token(), string(data), "Tus-Resumable", "1.0.0", "Upload-Offset", "0", "Content-Type", "text/plain")
	if status != http.StatusUnsupportedMediaType || prob.Code != api.EUNSUPPORTED {
		t.Fatalf("tus PATCH as text/plain: %d %+v, want 415", status, prob)
	}
	if off := e.uploadOffset(ann.Token(), p); off != 0 {
		t.Fatalf("offset after a refused PATCH = %d, want 0", off)
	}
}
