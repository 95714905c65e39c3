package http

import (
	"context"
	"errors"
	gosync "sync"
	"time"

	tus "github.com/tus/tusd/v2/pkg/handler"
)

// uploadLocker gives one request at a time an upload, like tus's memory
// locker: a request that wants a held upload asks the holder to stop (a
// client that lost its connection and resumed must not wait for the old
// request to time out). It asks only once the holder is reading its body,
// that is inside WriteChunk: tus's handler sets up the body it then closes
// without synchronisation, so asking earlier would race with that set-up.
// A holder that never reads a body (HEAD, DELETE, a refused PATCH) is
// short-lived and simply waited for.
//
// With shared locks (several servers over one database), a request that
// holds an upload here then takes it across servers too, asking whichever
// server holds it to let it go.
type uploadLocker struct {
	mu     gosync.Mutex
	held   map[string]*heldUpload
	shared SharedLocks
}

// SharedLocks hold uploads across servers.
type SharedLocks interface {
	// TryAcquire takes id's lock if no server holds it; release gives it
	// back. ok is false when another server holds it.
	TryAcquire(ctx context.Context, id string) (release func(), ok bool, err error)
	// AskRelease asks the server holding id to let it go.
	AskRelease(ctx context.Context, id string) error
	// Listen calls fn with each id another server asks this one to let
	// go, until ctx ends.
	Listen(ctx context.Context, fn func(id string)) error
}

type heldUpload struct {
	release  func()        // asks the holder to stop
	reading  bool          // the holder reads its body: release is safe to call
	wanted   bool          // another request waits for the upload
	released chan struct{} // closed by Unlock
}

func newUploadLocker() *uploadLocker {
	return &uploadLocker{held: map[string]*heldUpload{}}
}

// NewLock implements tus.Locker.
func (l *uploadLocker) NewLock(id string) (tus.Lock, error) {
	return &uploadLock{l: l, id: id}, nil
}

// reading records that the holder of id is reading its body and may now be
// asked to stop; if someone already waits, it is asked at once.
func (l *uploadLocker) reading(id string) {
	l.mu.Lock()
	h := l.held[id]
	var ask func()
	if h != nil {
		h.reading = true
		if h.wanted {
			ask = h.release
		}
	}
	l.mu.Unlock()
	if ask != nil {
		ask()
	}
}

type uploadLock struct {
	l      *uploadLocker
	id     string
	entry  *heldUpload
	shared func() // releases the lock across servers
}

// Lock implements tus.Lock.
func (k *uploadLock) Lock(ctx context.Context, requestRelease func()) error {
	for {
		k.l.mu.Lock()
		h := k.l.held[k.id]
		if h == nil {
			k.entry = &heldUpload{release: requestRelease, released: make(chan struct{})}
			k.l.held[k.id] = k.entry
			k.l.mu.Unlock()
			return k.lockShared(ctx)
		}
		h.wanted = true
		var ask func()
		if h.reading {
			ask = h.release
		}
		k.l.mu.Unlock()
		if ask != nil {
			ask()
		}
		select {
		case <-ctx.Done():
			return tus.ErrLockTimeout
		case <-h.released:
		}
	}
}

// lockShared takes the upload across servers, once this server's requests
// have let it go; if it cannot before ctx ends, the local hold goes too.
func (k *uploadLock) lockShared(ctx context.Context) error {
	if k.l.shared == nil {
		return nil
	}
	wait := 5 * time.Millisecond
	for asked := false; ; {
		release, ok, err := k.l.shared.TryAcquire(ctx, k.id)
		if ok {
			k.shared = release
			return nil
		}
		if err == nil && !asked {
			err = k.l.shared.AskRelease(ctx, k.id)
			asked = true
		}
		if err == nil {
			select {
			case <-ctx.Done():
				err = tus.ErrLockTimeout
			case <-time.After(wait):
				wait = min(2*wait, 200*time.Millisecond)
				continue
			}
		}
		return errors.Join(err, k.unlockLocal())
	}
}

// askLocal asks this server's holder of id to let it go, for a request on
// another server; a holder not yet reading is asked once it is.
func (l *uploadLocker) askLocal(id string) {
	l.mu.Lock()
	h := l.held[id]
	var ask func()
	if h != nil {
		h.wanted = true
		if h.reading {
			ask = h.release
		}
	}
	l.mu.Unlock()
	if ask != nil {
		ask()
	}
}

// Unlock implements tus.Lock.
func (k *uploadLock) Unlock() error {
	if k.shared != nil {
		k.shared()
		k.shared = nil
	}
	return k.unlockLocal()
}

func (k *uploadLock) unlockLocal() error {
	k.l.mu.Lock()
	if k.l.held[k.id] == k.entry {
		delete(k.l.held, k.id)
	}
	k.l.mu.Unlock()
	close(k.entry.released)
	return nil
}
