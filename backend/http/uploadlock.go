package http

import (
	"context"
	gosync "sync"

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
type uploadLocker struct {
	mu   gosync.Mutex
	held map[string]*heldUpload
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
	l     *uploadLocker
	id    string
	entry *heldUpload
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
			return nil
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

// Unlock implements tus.Lock.
func (k *uploadLock) Unlock() error {
	k.l.mu.Lock()
	if k.l.held[k.id] == k.entry {
		delete(k.l.held, k.id)
	}
	k.l.mu.Unlock()
	close(k.entry.released)
	return nil
}
