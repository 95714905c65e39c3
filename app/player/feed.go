package player

import (
	"errors"
	"io"
	gosync "sync"
	"sync/atomic"
)

// feed is the one endless PCM stream the output plays: the current track,
// then the next one, back to back, so consecutive tracks play with no
// inserted silence. The next track is opened ahead of time.
type feed struct {
	mu       gosync.Mutex
	rate     int
	rg       string // ReplayGain mode
	queue    []Item // a snapshot the player keeps current
	order    []int  // play order of queue indexes (shuffled or not)
	repeat   string
	errs     chan trackError
	cur      *source
	curIdx   int
	pre      *prefetch
	read     int64        // bytes handed to the output since the last seek
	total    atomic.Int64 // bytes handed to the output ever
	marks    []boundary   // where each track began, in read bytes
	target   int          // the track a Seek goes to
	targetOf Item
	opening  gosync.WaitGroup // tracks being opened ahead or closed after being dropped
}

type boundary struct {
	at     int64
	idx    int
	format string
}

type prefetch struct {
	idx  int
	item Item
	done chan struct{}
	src  *source
	err  error
}

type trackError struct {
	idx  int
	item Item
	err  error
}

// onError reports a track that could not be played; it never blocks.
func (f *feed) onError(idx int, item Item, err error) {
	select {
	case f.errs <- trackError{idx, item, err}:
	default:
	}
}

// setQueue replaces the snapshot of the queue.
func (f *feed) setQueue(queue []Item, order []int, repeat string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue, f.order, f.repeat = queue, order, repeat
	if f.cur != nil {
		f.dropPrefetch(false)
		f.prefetchAfter(f.curIdx)
	}
}

// setReplayGain changes the ReplayGain mode: the playing track's gain
// changes at once, and the next track is opened again with its own.
func (f *feed) setReplayGain(mode string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rg = mode
	if f.cur != nil {
		f.cur.gain = float32(gainOf(f.targetOf.Loudness, mode))
		if f.continues() {
			f.pre.src.gain = float32(gainOf(f.pre.item.Loudness, mode))
		}
		f.dropPrefetch(false)
		f.prefetchAfter(f.curIdx)
	}
}

// open opens a queued track with its ReplayGain.
func (f *feed) open(item Item) (*source, error) {
	return open(item.Path, f.rate, gainOf(item.Loudness, f.rg))
}

// dropPrefetch forgets the track opened ahead, closing it once its
// opening ends. A track already playing on from the current one's
// resampler stays unless force is set (a seek or the end).
func (f *feed) dropPrefetch(force bool) {
	pf := f.pre
	if pf == nil || (!force && f.continues()) {
		return
	}
	f.pre = nil
	f.opening.Add(1)
	go func() {
		defer f.opening.Done()
		<-pf.done
		if pf.src != nil {
			pf.src.Close()
		}
	}()
}

// continues reports whether the track opened ahead already plays on from
// the current one's resampler.
func (f *feed) continues() bool {
	return f.cur != nil && f.pre != nil && f.cur.next != nil && f.cur.next == f.pre.src
}

// upcoming is the track opened ahead, once it is ready; nil if it failed.
// The current track asks for it as its decoder ends.
func (f *feed) upcoming() *source {
	pf := f.pre
	if pf == nil {
		return nil
	}
	<-pf.done
	return pf.src
}

// close frees the open tracks when the player closes, once every track
// being opened ahead is done with.
func (f *feed) close() {
	f.mu.Lock()
	f.setCur(nil)
	f.dropPrefetch(true)
	f.mu.Unlock()
	f.opening.Wait()
}

// setCur makes src the playing track, closing the one it replaces.
func (f *feed) setCur(src *source) {
	if f.cur != nil && f.cur != src {
		f.cur.Close()
	}
	f.cur = src
	if src != nil {
		src.follow = f.upcoming
	}
}

// next returns the queue entry that follows idx in play order.
func (f *feed) next(idx int) (int, Item, bool) {
	if len(f.order) == 0 {
		return 0, Item{}, false
	}
	if f.repeat == RepeatOne && idx >= 0 && idx < len(f.queue) {
		return idx, f.queue[idx], true
	}
	pos := -1
	for i, q := range f.order {
		if q == idx {
			pos = i
		}
	}
	pos++
	if pos >= len(f.order) {
		if f.repeat != RepeatAll {
			return 0, Item{}, false
		}
		pos = 0
	}
	n := f.order[pos]
	return n, f.queue[n], true
}

func (f *feed) prefetchAfter(idx int) {
	n, item, ok := f.next(idx)
	if f.continues() {
		return // already playing on
	}
	if !ok {
		f.dropPrefetch(false)
		return
	}
	if f.pre != nil && f.pre.idx == n && f.pre.item.Path == item.Path {
		return
	}
	f.dropPrefetch(false)
	pf := &prefetch{idx: n, item: item, done: make(chan struct{})}
	f.pre = pf
	gain := gainOf(item.Loudness, f.rg)
	f.opening.Add(1)
	go func() {
		defer f.opening.Done()
		pf.src, pf.err = open(item.Path, f.rate, gain)
		if pf.err == nil {
			if pf.err = pf.src.prime(); pf.err != nil {
				pf.src = nil
			}
		}
		close(pf.done)
	}()
}

// Read implements io.Reader for the output.
func (f *feed) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.cur != nil {
		n, err := f.cur.Read(p)
		f.read += int64(n)
		f.total.Add(int64(n))
		if n > 0 {
			return n, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			f.onError(f.curIdx, f.targetOf, err)
		}
		f.advance()
	}
	return 0, io.EOF
}

// advance moves to the prefetched next track, skipping ones that fail.
func (f *feed) advance() {
	for f.pre != nil {
		pf := f.pre
		<-pf.done
		f.pre = nil
		if pf.err != nil {
			f.onError(pf.idx, pf.item, pf.err)
			f.prefetchAfter(pf.idx)
			continue
		}
		f.setCur(pf.src)
		f.curIdx, f.targetOf = pf.idx, pf.item
		f.marks = append(f.marks, boundary{at: f.read, idx: pf.idx, format: pf.src.format})
		f.prefetchAfter(pf.idx)
		return
	}
	f.setCur(nil)
}

// Seek implements io.Seeker for the output: it (re)starts the target track
// at byte offset, forgetting read-ahead. Only the player calls it, through
// the output's Seek, which drops buffered audio first.
func (f *feed) Seek(offset int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.read, f.marks = 0, nil
	f.setCur(nil)
	f.dropPrefetch(true)
	for idx, item := f.target, f.targetOf; ; {
		src, err := f.open(item)
		if err == nil {
			if err = src.seek(offset); err != nil {
				src.Close()
			}
		}
		if err == nil {
			f.setCur(src)
			f.curIdx, f.targetOf = idx, item
			f.marks = []boundary{{at: -offset, idx: idx, format: src.format}}
			f.prefetchAfter(idx)
			return offset, nil
		}
		f.onError(idx, item, err)
		n, next, ok := f.next(idx)
		if !ok {
			return 0, nil // nothing playable: the output reads EOF
		}
		idx, item, offset = n, next, 0
	}
}

// lockHeard locks f and returns how many bytes of this run the listener
// has heard and how many the output holds unplayed. The output reads from
// f while holding its own lock, so the two counts cannot be taken under
// one lock: they are taken apart and retaken when a read came between
// them, which would count the read's bytes as heard.
func (f *feed) lockHeard(unplayed func() int) (heard int64, u int) {
	for {
		before := f.total.Load()
		u = unplayed()
		f.mu.Lock()
		if f.total.Load() == before {
			return f.read - int64(u), u
		}
		f.mu.Unlock()
	}
}

// playing returns the track being heard and the byte offset into it, given
// how much the output holds unplayed.
func (f *feed) playing(unplayed func() int) (idx int, offset int64, ok bool) {
	heard, _ := f.lockHeard(unplayed)
	defer f.mu.Unlock()
	for i := len(f.marks) - 1; i >= 0; i-- {
		if heard >= f.marks[i].at || i == 0 {
			return f.marks[i].idx, max(heard-f.marks[i].at, 0), true
		}
	}
	return 0, 0, false
}

// heardFormat names the format of the track being heard.
func (f *feed) heardFormat(unplayed func() int) string {
	heard, _ := f.lockHeard(unplayed)
	defer f.mu.Unlock()
	for i := len(f.marks) - 1; i >= 0; i-- {
		if heard >= f.marks[i].at || i == 0 {
			return f.marks[i].format
		}
	}
	return ""
}

// untilChange returns how many more bytes the listener hears before the
// next track begins, or, once the queue ran out, before it ends.
func (f *feed) untilChange(unplayed func() int) (int64, bool) {
	heard, u := f.lockHeard(unplayed)
	defer f.mu.Unlock()
	for _, m := range f.marks {
		if m.at > heard {
			return m.at - heard, true
		}
	}
	if f.cur == nil {
		return int64(u), f.pre == nil
	}
	last := f.marks[len(f.marks)-1]
	return int64(u) + max(f.cur.length-(f.read-last.at), 0), true
}

// finished reports whether the queue ran out.
func (f *feed) finished() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur == nil && f.pre == nil
}
