package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one message; a *PermanentError when it never will.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through an SMTP server with go-mail, which negotiates
// STARTTLS (required unless the URL says otherwise), authenticates, and
// encodes headers and the text and HTML parts properly.
type SMTP struct {
	srv     *server
	from    string
	timeout time.Duration
}

// NewSMTP returns a sender for cfg.
func NewSMTP(cfg Config) (*SMTP, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	srv, err := parseServer(cfg.URL)
	if err != nil {
		return nil, err
	}
	return &SMTP{srv: srv, from: cfg.From, timeout: 30 * time.Second}, nil
}

// Send implements Sender with one connection per message: messages go
// out a few a second at most, and a fresh connection never inherits a
// broken one's state.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return classify(c.DialAndSendWithContext(ctx, msg))
}

func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, &PermanentError{Err: fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(messageID(m.Key, s.from))
	msg.SetDate()
	for k, v := range m.Headers {
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.srv.port), gomail.WithTimeout(s.timeout)}
	switch {
	case s.srv.implicit:
		opts = append(opts, gomail.WithSSL())
	case s.srv.tls == "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case s.srv.tls == "opportunistic":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.srv.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.srv.user), gomail.WithPassword(s.srv.pass))
	}
	c, err := gomail.NewClient(s.srv.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return c, nil
}

// classify makes a 5xx refusal permanent; everything else (4xx, a server
// that cannot be reached, a timeout) may pass on another try.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return &PermanentError{Err: err}
	}
	return err
}
