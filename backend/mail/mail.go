// Package mail is the platform's outgoing email: messages rendered from
// templates in the recipient's language, a durable outbox in the database
// (one message per key, ever), and a worker that sends it over SMTP at a
// limited rate.
//
//	service ── Queue(tx) ──▶ mail_outbox ──▶ Outbox.Run ── rate limit ──▶ SMTP
//	(same transaction as      (queued)        claim (lease) → send →
//	 what the mail is about)                  sent | retry later | failed
//
// Delivery across a crash: a message is marked sent in its own commit
// right after the SMTP server accepts it. A server stopped the ordinary way
// (its context cancelled) finishes the message it is sending and records
// the outcome, so nothing is sent twice. Only a crash in the few
// milliseconds between the server's acceptance and that commit leaves the
// message "sending" without a record of success; when its lease runs out it
// is sent again (at least once rather than at most once: a lost claim link
// is worse than a repeated one). The repeat carries the same Message-ID,
// derived from the key, so mail clients can tell it is the same message.
package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is how the platform sends mail; a zero URL turns email off.
type Config struct {
	// URL is the SMTP server: smtp://user:pass@host:587 (STARTTLS
	// required), smtps://user:pass@host:465 (TLS from the start). For a
	// server on loopback without TLS, add ?tls=none.
	URL string
	// From is the sender, e.g. "Megabox <hello@megabox.example>".
	From string
	// PerSecond is how many messages go out a second at most; 0 for the
	// default.
	PerSecond float64
}

// DefaultPerSecond keeps a platform under the usual limits of a relay.
const DefaultPerSecond = 5

// Enabled reports whether the platform sends email.
func (c Config) Enabled() bool { return c.URL != "" }

// Check reports what is wrong with a configuration; a disabled one is
// fine.
func (c Config) Check() error {
	if !c.Enabled() {
		return nil
	}
	if _, err := parseServer(c.URL); err != nil {
		return err
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("mail from %q: %v", c.From, err)
	}
	if !(c.PerSecond >= 0) { // NaN too
		return errors.New("mail rate must be a number, not negative")
	}
	return nil
}

// server is a parsed SMTP URL.
type server struct {
	host       string
	port       int
	user, pass string
	implicit   bool   // TLS from the first byte (smtps)
	tls        string // required, opportunistic, none
}

func parseServer(raw string) (*server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %v", err)
	}
	s := &server{host: u.Hostname(), tls: "required"}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("smtp url: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port <= 0 || s.port > 65535 {
			return nil, fmt.Errorf("smtp url: bad port %q", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if t := u.Query().Get("tls"); t != "" {
		if t != "required" && t != "opportunistic" && t != "none" {
			return nil, fmt.Errorf("smtp url: tls must be required, opportunistic or none, not %q", t)
		}
		s.tls = t
	}
	return s, nil
}

// Message is one email to send.
type Message struct {
	Key     string // what it is about; its Message-ID is made from it
	To      string
	Subject string
	Text    string
	HTML    string
	Headers map[string]string
}

// messageID is the same for every attempt at a key's message.
func messageID(key, from string) string {
	h := sha256.Sum256([]byte(key))
	domain := "megabox.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return hex.EncodeToString(h[:16]) + "@" + domain
}

// PermanentError is a refusal sending again will not change: an address
// the server rejects (5xx), or one that is not an address.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// retryAfter is how long a message waits after its nth failed attempt:
// a minute, doubling, at most an hour.
func retryAfter(base time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
