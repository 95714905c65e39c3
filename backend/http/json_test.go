package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
)

// TestJSONAnswersCarryTheirLength: a JSON answer larger than net/http's
// chunking threshold (2 KiB) still declares its exact length and is sent
// whole, so a client reads to a known end instead of parsing chunks.
func TestJSONAnswersCarryTheirLength(t *testing.T) {
	e := mustEnv(t)
	c, _ := e.signUp("maker", true)
	for i := range 20 {
		if _, err := c.CreateRelease(context.Background(), api.Manifest{Title: fmt.Sprintf("Draft number %d with a long enough title", i),
			PriceCents: 1000, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
	}
	status, body, hdr := e.raw("GET", "/api/v1/me/releases", c.Token(), nil)
	if status != 200 {
		t.Fatalf("status = %d, want 200: %s", status, body)
	}
	if len(body) <= 2048 {
		t.Fatalf("answer is %d bytes; the test needs one over 2 KiB", len(body))
	}
	if got := hdr.Get("Content-Length"); got != strconv.Itoa(len(body)) {
		t.Fatalf("Content-Length = %q, want %d (Transfer-Encoding %q)", got, len(body), hdr.Get("Transfer-Encoding"))
	}
	var list struct{ Items []api.Release }
	if err := json.Unmarshal(body, &list); err != nil || len(list.Items) != 20 {
		t.Fatalf("answer holds %d releases (%v), want 20", len(list.Items), err)
	}
}
