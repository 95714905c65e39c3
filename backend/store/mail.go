package store

import (
	"context"
	"time"
)

// Outbox states: a message waits (queued), is held by a sender for a
// lease (sending), was accepted by the SMTP server (sent), or was refused
// for good (failed).
const (
	MailQueued  = "queued"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// Mail is a message in the outbox. Key names what it is about
// ("gift:12", "announce:3:45"): a key is queued at most once.
type Mail struct {
	ID        int64
	Key       string
	To        string
	Subject   string
	Text      string
	HTML      string
	Headers   map[string]string // extra headers, e.g. List-Unsubscribe
	State     string
	Attempts  int
	NextAt    time.Time // when a queued message may be tried next
	LeaseTill time.Time // when a sending message's claim runs out
	LastError string
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
}

// MailTx writes the outbox.
type MailTx interface {
	// QueueMail adds a message, queued, due at m.NextAt. ErrConflict when
	// its key was queued before, whatever became of it.
	QueueMail(ctx context.Context, m Mail) (int64, error)
	// ClaimMail takes up to limit messages due at now (queued and due, or
	// sending with a lease run out: their sender stopped), marks them
	// sending until leaseTill and counts an attempt on each.
	ClaimMail(ctx context.Context, now, leaseTill time.Time, limit int) ([]Mail, error)
	// MailSent marks a message sent. ErrNotFound when it is no longer
	// sending (another sender took it after the lease ran out and
	// finished it).
	MailSent(ctx context.Context, id int64, at time.Time) error
	// MailRetry puts a sending message back in the queue, due at next,
	// with why its attempt failed; ErrNotFound as for MailSent.
	MailRetry(ctx context.Context, id int64, next time.Time, why string) error
	// MailFailed gives up on a sending message for why; ErrNotFound as
	// for MailSent.
	MailFailed(ctx context.Context, id int64, why string) error
}

// MailReader reads the outbox.
type MailReader interface {
	// MailByKey returns the message queued under key; ErrNotFound.
	MailByKey(ctx context.Context, key string) (*Mail, error)
	// NextMailAt is when the earliest queued or sending message falls
	// due (a sending one: when its lease runs out); ErrNotFound when the
	// outbox holds none.
	NextMailAt(ctx context.Context) (time.Time, error)
}
