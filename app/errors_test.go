package app

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
)

// closedURL is a loopback address nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func decodeUIError(t *testing.T, err error) map[string]string {
	t.Helper()
	var got map[string]string
	if err == nil || json.Unmarshal([]byte(err.Error()), &got) != nil {
		t.Fatalf("not a window error: %v", err)
	}
	return got
}

func TestUnreachablePlatformIsTypedOffline(t *testing.T) {
	c, err := mhttp.NewClient(closedURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, callErr := c.SearchReleases(context.Background(), api.ReleaseFilter{Limit: 1})
	got := decodeUIError(t, uiError(callErr))
	if got["code"] != api.EUNAVAILABLE || got["message"] != offlineMessage {
		t.Fatalf("got %v, want code %q and the plain offline message", got, api.EUNAVAILABLE)
	}
	for _, raw := range []string{"dial", "tcp", "127.0.0.1", "refused"} {
		if strings.Contains(got["message"], raw) {
			t.Fatalf("message leaks network details (%q): %q", raw, got["message"])
		}
	}
}

func TestRawNetworkErrorIsTypedOffline(t *testing.T) {
	_, dialErr := net.Dial("tcp", strings.TrimPrefix(closedURL(t), "http://"))
	if got := decodeUIError(t, uiError(dialErr)); got["code"] != api.EUNAVAILABLE || got["message"] != offlineMessage {
		t.Fatalf("got %v", got)
	}
}

func TestOtherErrorsKeepTheirCodeAndField(t *testing.T) {
	got := decodeUIError(t, invalid("path", "that folder does not exist"))
	if got["code"] != api.EINVALID || got["field"] != "path" || got["message"] != "that folder does not exist" {
		t.Fatalf("got %v", got)
	}
}

// An internal failure reaches the window by its code only: its text, which
// may hold paths or SQL, goes to the log.
func TestInternalErrorKeepsItsDetailOut(t *testing.T) {
	got := decodeUIError(t, uiError(errors.New("cache: disk I/O error at /home/ann/.config/megabox/cache.db")))
	if got["code"] != api.EINTERNAL || got["message"] != "internal error" {
		t.Fatalf("internal error reached the window as %v", got)
	}
}
