// Package mailtest reads what a test sent through Mailpit, the SMTP
// server scripts/services.sh starts on loopback (MEGABOX_TEST_SMTP,
// MEGABOX_TEST_MAILPIT).
package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"
)

// Mailpit is a running Mailpit.
type Mailpit struct {
	SMTP string // the URL to send through
	API  string // its REST API's base
}

// Open returns the test Mailpit; the test skips without one, or fails
// when MEGABOX_REQUIRE_SERVICES=1.
func Open(tb testing.TB) *Mailpit {
	tb.Helper()
	m := &Mailpit{SMTP: os.Getenv("MEGABOX_TEST_SMTP"), API: os.Getenv("MEGABOX_TEST_MAILPIT")}
	if m.SMTP == "" || m.API == "" {
		if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
			tb.Fatal("MEGABOX_TEST_SMTP and MEGABOX_TEST_MAILPIT are not set (scripts/services.sh starts Mailpit)")
		}
		tb.Skip("MEGABOX_TEST_SMTP and MEGABOX_TEST_MAILPIT are not set")
	}
	return m
}

// Address is one recipient.
type Address struct {
	Name    string
	Address string
}

// Summary is a message as Mailpit lists it.
type Summary struct {
	ID        string
	MessageID string
	To        []Address
	Subject   string
}

// Message is one message in full.
type Message struct {
	ID      string
	Subject string
	To      []Address
	Text    string
	HTML    string
}

// To lists the messages sent to an address, newest first.
func (m *Mailpit) To(tb testing.TB, addr string) []Summary {
	tb.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	m.get(tb, "/api/v1/search?limit=1000&query="+url.QueryEscape(`to:"`+addr+`"`), &out)
	var exact []Summary // the search matches substrings of addresses
	for _, s := range out.Messages {
		for _, a := range s.To {
			if a.Address == addr {
				exact = append(exact, s)
				break
			}
		}
	}
	return exact
}

// Search lists the messages matching a Mailpit search query.
func (m *Mailpit) Search(tb testing.TB, query string) []Summary {
	tb.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	m.get(tb, "/api/v1/search?limit=5000&query="+url.QueryEscape(query), &out)
	return out.Messages
}

// Message reads one message in full.
func (m *Mailpit) Message(tb testing.TB, id string) *Message {
	tb.Helper()
	var out Message
	m.get(tb, "/api/v1/message/"+url.PathEscape(id), &out)
	return &out
}

// Raw is a message's source as it arrived.
func (m *Mailpit) Raw(tb testing.TB, id string) string {
	tb.Helper()
	return string(m.read(tb, "/api/v1/message/"+url.PathEscape(id)+"/raw"))
}

// WaitTo polls until n messages were sent to addr, and fails past the
// deadline.
func (m *Mailpit) WaitTo(tb testing.TB, addr string, n int, within time.Duration) []Summary {
	tb.Helper()
	var got []Summary
	wait.For(tb, within, func() bool { got = m.To(tb, addr); return len(got) >= n },
		func() string { return fmt.Sprintf("%d messages to %s, want %d", len(got), addr, n) })
	return got
}

func (m *Mailpit) get(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(m.read(tb, path), v); err != nil {
		tb.Fatalf("mailpit %s: %v", path, err)
	}
}

func (m *Mailpit) read(tb testing.TB, path string) []byte {
	tb.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s: %s", resp.Status, b)
	}
	if err != nil {
		tb.Fatalf("mailpit %s: %v", path, err)
	}
	return b
}
