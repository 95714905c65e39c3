package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLocalPlatformAnswersOnlyItsAddress: the embedded platform refuses a
// request naming another host, as a web page doing DNS rebinding sends,
// and one naming its own port under another loopback spelling it does not
// serve.
func TestLocalPlatformAnswersOnlyItsAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	local, err := startLocal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); local.close() })
	u, _ := url.Parse(local.url)
	port := u.Port()
	for host, refused := range map[string]bool{
		u.Host:                    false,
		"localhost:" + port:       false,
		"rebind.example:" + port:  true,
		"[::1]:" + port:           true,
		"127.0.0.1:" + port + "0": true,
	} {
		req, _ := http.NewRequest("POST", local.url+"/api/v1/sessions", strings.NewReader(`{"email":"demo@megabox.local","password":"x"}`))
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.StatusCode; refused != (got == http.StatusMisdirectedRequest) {
			t.Errorf("Host %s: %d, refused %v", host, got, refused)
		}
	}
}
