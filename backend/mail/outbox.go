package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"golang.org/x/time/rate"

	"github.com/megabox-fm/megabox/backend/store"
)

// Outbox sends the messages queued in the database. One goroutine runs
// it (Run); others only Wake it after queueing.
type Outbox struct {
	st      store.Store
	send    Sender
	limit   *rate.Limiter
	wake    chan struct{}
	log     *slog.Logger
	now     func() time.Time
	timeout time.Duration // one send at most; the lease is twice that

	// RetryBase is the wait after a first temporary failure, doubled at
	// each further one; MaxAttempts ends the tries.
	RetryBase   time.Duration
	MaxAttempts int
}

// idleCheck is how often an idle outbox looks for work it was not woken
// for (queued by another server sharing the database).
const idleCheck = 30 * time.Second

// NewOutbox returns an outbox sending st's queue through send at most
// perSecond messages a second.
func NewOutbox(st store.Store, send Sender, perSecond float64, log *slog.Logger) *Outbox {
	if perSecond <= 0 {
		perSecond = DefaultPerSecond
	}
	return &Outbox{st: st, send: send, limit: rate.NewLimiter(rate.Limit(perSecond), 1), wake: make(chan struct{}, 1),
		log: log, now: time.Now, timeout: time.Minute, RetryBase: time.Minute, MaxAttempts: 10}
}

// Wake tells the outbox new mail is queued; it never blocks.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends. A message being sent when it ends is finished
// and recorded first: stopping never leaves a sent message unrecorded.
func (o *Outbox) Run(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		sent, err := o.one(ctx)
		if err != nil && ctx.Err() == nil {
			failures++
			o.log.Warn("mail outbox", "err", err)
		} else {
			failures = 0
		}
		if sent && err == nil {
			continue
		}
		o.sleep(ctx, o.idle(ctx, failures))
	}
}

// sleep waits d, or less if woken or stopped.
func (o *Outbox) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-o.wake:
	case <-t.C:
	}
}

// idle is how long to wait for the next message due: until it is due,
// at most idleCheck; after database errors, a backoff.
func (o *Outbox) idle(ctx context.Context, failures int) time.Duration {
	if failures > 0 {
		return min(time.Duration(1<<min(failures, 5))*100*time.Millisecond, idleCheck)
	}
	next, err := o.st.NextMailAt(ctx)
	if err != nil {
		return idleCheck
	}
	return min(max(next.Sub(o.now()), 10*time.Millisecond), idleCheck)
}

// one claims one message due, sends it and records the outcome; false
// when none was due.
func (o *Outbox) one(ctx context.Context) (bool, error) {
	if err := o.limit.Wait(ctx); err != nil {
		return false, nil // stopping
	}
	var claimed []store.Mail
	now := o.now()
	err := o.st.WithTx(ctx, func(tx store.Tx) error {
		var err error
		claimed, err = tx.ClaimMail(ctx, now, now.Add(2*o.timeout), 1)
		return err
	})
	if err != nil || len(claimed) == 0 {
		return false, err
	}
	m := claimed[0]
	// The send and its record outlive ctx: a stop mid-send must not
	// leave the message accepted by the server but unrecorded here.
	bg := context.WithoutCancel(ctx)
	sctx, cancel := context.WithTimeout(bg, o.timeout)
	serr := o.send.Send(sctx, Message{Key: m.Key, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Headers: m.Headers})
	cancel()
	return true, o.record(bg, m, serr)
}

// record writes what became of a send attempt.
func (o *Outbox) record(ctx context.Context, m store.Mail, serr error) error {
	var perm *PermanentError
	err := o.st.WithTx(ctx, func(tx store.Tx) error {
		switch {
		case serr == nil:
			return tx.MailSent(ctx, m.ID, o.now())
		case errors.As(serr, &perm) || m.Attempts >= o.MaxAttempts:
			o.log.Warn("mail failed", "key", m.Key, "attempts", m.Attempts, "err", serr)
			return tx.MailFailed(ctx, m.ID, serr.Error())
		default:
			o.log.Info("mail deferred", "key", m.Key, "attempts", m.Attempts, "err", serr)
			return tx.MailRetry(ctx, m.ID, o.now().Add(retryAfter(o.RetryBase, m.Attempts)), serr.Error())
		}
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // its lease ran out and another sender finished it
	}
	return err
}
