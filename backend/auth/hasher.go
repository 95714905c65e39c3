package auth

import (
	"bufio"
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/megabox-fm/megabox/backend/api"
)

// DefaultHashWait is how long a hash waits for memory before the request is
// turned away as busy.
const DefaultHashWait = 3 * time.Second

// Limits bound the memory password hashing may use at once. Each argon2id
// hash holds its whole memory cost (19 MiB by default) while it runs, so
// unbounded sign-ins can exhaust the server.
type Limits struct {
	// Memory is the budget, in bytes, shared by all hashes in flight; 0
	// uses DefaultHashMemory. A hash larger than the budget runs alone.
	Memory int64
	// Wait is how long a hash queues for its share before the caller gets
	// an EBUSY error; 0 uses DefaultHashWait.
	Wait time.Duration
	// Enter, if set, runs once a hash holds its memory and before it starts;
	// the function it returns runs when the hash ends. It lets tests count
	// and hold hashes in flight.
	Enter func() (leave func())
}

// Hasher hashes and verifies passwords within a memory budget. Waiters are
// served in arrival order.
type Hasher struct {
	params Params
	budget int64 // KiB
	wait   time.Duration
	enter  func() func()
	sem    *semaphore.Weighted
}

// NewHasher returns a Hasher making hashes with p, bounded by l.
func NewHasher(p Params, l Limits) *Hasher {
	if l.Memory <= 0 {
		l.Memory = DefaultHashMemory(p)
	}
	if l.Wait <= 0 {
		l.Wait = DefaultHashWait
	}
	budget := max(l.Memory>>10, int64(p.Memory), 1)
	return &Hasher{params: p, budget: budget, wait: l.Wait, enter: l.Enter, sem: semaphore.NewWeighted(budget)}
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns a new hash of password. EBUSY when no memory was free in
// time.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	var hash string
	err := h.run(ctx, h.params.Memory, func() (err error) {
		hash, err = HashPassword(password, h.params)
		return err
	})
	return hash, err
}

// Verify reports whether password matches encoded. EBUSY when no memory
// was free in time.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, _, _, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	var ok bool
	err = h.run(ctx, p.Memory, func() (err error) {
		ok, err = VerifyPassword(password, encoded)
		return err
	})
	return ok, err
}

// ErrBusy is returned when a hash could not get memory within the wait.
var ErrBusy = api.Errorf(api.EBUSY, "the server is busy signing others in: try again in a few seconds")

func (h *Hasher) run(ctx context.Context, kib uint32, fn func() error) error {
	n := min(max(int64(kib), 1), h.budget)
	wctx, cancel := context.WithTimeout(ctx, h.wait)
	err := h.sem.Acquire(wctx, n)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrBusy
	}
	defer h.sem.Release(n)
	if h.enter != nil {
		leave := h.enter()
		defer leave()
	}
	return fn()
}

// DecoyHash returns a well-formed hash with p's cost that no password
// matches: verifying against it for an unknown account costs what a real
// check does, without hashing anything up front.
func DecoyHash(p Params) string {
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	return encodeHash(p, salt, key)
}

// DefaultHashMemory is a sane hashing budget for this machine: an eighth of
// its memory (the Go memory limit, the cgroup limit or physical memory,
// whichever is smallest), at most one hash per CPU (argon2id with one lane
// is CPU-bound: more at once only costs memory) and at least one hash.
func DefaultHashMemory(p Params) int64 {
	per := int64(p.Memory) << 10
	hashes := min(systemMemory()/8/per, int64(runtime.NumCPU()))
	return max(hashes, 1) * per
}

// systemMemory is the memory this process may use, in bytes; 1 GiB when it
// cannot be learnt.
func systemMemory() int64 {
	limit := int64(math.MaxInt64)
	if l := debug.SetMemoryLimit(-1); l > 0 {
		limit = l
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			limit = min(limit, n)
		}
	}
	if n, err := memTotal(); err == nil {
		limit = min(limit, n)
	}
	if limit == math.MaxInt64 {
		return 1 << 30
	}
	return limit
}

// memTotal reads physical memory from /proc/meminfo (Linux).
func memTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no MemTotal in /proc/meminfo")
}
