// Package player plays FLAC and MP3 files (Opus and AAC through ffmpeg)
// through one audio output: a queue with shuffle and repeat, seeking,
// volume, ReplayGain, and gapless transitions between tracks at any sample
// rate, each resampled with libsoxr to the output's rate. Its state leaves
// as throttled events and survives restarts.
package player

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// Event names.
const (
	EventStatus = "player:status"
	EventError  = "player:error"
)

// States.
const (
	StateStopped = "stopped"
	StatePlaying = "playing"
	StatePaused  = "paused"
	StateError   = "error"
)

// Repeat modes.
const (
	RepeatOff = "off"
	RepeatAll = "all"
	RepeatOne = "one"
)

// Item is one queued track.
type Item struct {
	Key        string `json:"key"`
	Path       string `json:"path"`
	Title      string `json:"title"`
	Artist     string `json:"artist"`
	Album      string `json:"album"`
	DurationMS int64  `json:"duration_ms"`
	Art        string `json:"art,omitempty"` // the cover's address in the window; "" for none
	// Loudness is the track's measured loudness, for ReplayGain; nil
	// when not measured (the track plays as it is).
	Loudness *api.Loudness `json:"loudness,omitempty"`
}

// Status is what the player reports.
type Status struct {
	State      string  `json:"state"`
	Index      int     `json:"index"`
	Track      *Item   `json:"track,omitempty"`
	PositionMS int64   `json:"position_ms"`
	DurationMS int64   `json:"duration_ms"`
	Volume     float64 `json:"volume"`
	Repeat     string  `json:"repeat"`
	Shuffle    bool    `json:"shuffle"`
	Queue      []Item  `json:"queue"`
	// Format names the playing track's format: "FLAC 24/96", "MP3 320".
	Format string `json:"format,omitempty"`
	// ReplayGain is the mode: track, album or off.
	ReplayGain string `json:"replay_gain"`
	// Problem is why playing stopped or skipped, one of the Problem*
	// kinds the window says in words (with ProblemTrack, the track's
	// title); Error is the detail, for the log.
	Problem      string `json:"problem,omitempty"`
	ProblemTrack string `json:"problem_track,omitempty"`
	Error        string `json:"detail,omitempty"`
}

// Kinds of playing problem.
const (
	ProblemNoDevice   = "no_device"     // no sound device could be opened
	ProblemUnplayable = "unplayable"    // a track's file could not be read or decoded; skipped
	ProblemOutput     = "output_failed" // the sound device stopped working
)

// problem is the latest playing problem.
type problem struct {
	kind, track, detail string
}

// TrackError reports a track that could not be played.
type TrackError struct {
	Index int    `json:"index"`
	Track Item   `json:"track"`
	Error string `json:"error"`
}

// Emitter receives player events.
type Emitter interface {
	Emit(event string, payload any)
}

// StateStore keeps the queue and position across restarts.
type StateStore interface {
	LoadPlayerState(ctx context.Context) []byte
	SavePlayerState(ctx context.Context, b []byte) error
}

// Player is the music player. Its methods are safe for concurrent use.
type Player struct {
	out   Output
	emit  Emitter
	store StateStore

	mu      gosync.Mutex
	queue   []Item
	order   []int
	index   int
	state   string
	volume  float64
	repeat  string
	shuffle bool
	rg      string // ReplayGain mode
	lastErr problem
	resume  int64 // position to start from when the queue was restored
	feed    *feed
	stream  Stream
	opening chan struct{} // closed when the device being opened is ready or failed; nil when none is
	halts   int           // counts Pause, Stop and Clear, so a press made while the device opened wins
	// held is where a paused player stands: the output keeps reading
	// ahead while paused, and the position must not move with it.
	held struct {
		on  bool
		idx int
		pos time.Duration
	}

	stop    chan struct{}
	done    chan struct{} // monitor ended
	saves   chan struct{} // a save is wanted (1-buffered: requests coalesce)
	changed chan struct{} // the state changed: the monitor reschedules (1-buffered)
	// reporting is whether the monitor's report timer is set: it is only
	// while playing, so a paused player wakes nothing.
	reporting atomic.Bool
	saved     chan struct{} // saver ended, after the last save
}

// ErrNoDevice means no sound device could be opened. Play tries again, so
// a device connected later is picked up.
var ErrNoDevice = &api.Error{Code: api.EUNAVAILABLE, Field: "device", Message: "No sound device found. Connect one and press Play again."}

// Reopener is an output that can try its device again after it failed.
type Reopener interface {
	Reopen() error
}

// New returns a player on out, restoring the saved queue (paused).
func New(out Output, emit Emitter, store StateStore) *Player {
	p := &Player{out: out, emit: emit, store: store, state: StateStopped, volume: 1, repeat: RepeatOff, rg: GainTrack,
		stop: make(chan struct{}), done: make(chan struct{}), saves: make(chan struct{}, 1), changed: make(chan struct{}, 1), saved: make(chan struct{})}
	p.feed = &feed{rate: out.SampleRate(), rg: p.rg, errs: make(chan trackError, 16)}
	p.stream = out.NewStream(p.feed)
	p.restore()
	p.feed.rg = p.rg
	go p.monitor()
	go p.saver()
	return p
}

// Close stops playback and saves the queue; it returns once the state is
// saved and nothing of the player runs any more.
func (p *Player) Close() error {
	close(p.stop)
	<-p.done
	<-p.saved
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stream.Pause()
	err := p.stream.Close()
	p.feed.close()
	return err
}

// PlayQueue replaces the queue and starts at index start.
func (p *Player) PlayQueue(items []Item, start int) error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	if start < 0 || start >= len(items) {
		return errors.New("no such track in the queue")
	}
	p.queue = append([]Item(nil), items...)
	p.reorder(start)
	return p.startAt(start, 0)
}

// Enqueue adds tracks at the end of the queue.
func (p *Player) Enqueue(items ...Item) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, it := range items {
		p.order = append(p.order, len(p.queue))
		p.queue = append(p.queue, it)
	}
	p.syncFeed()
	p.statusLocked(true)
}

// Move moves queue entry from to position to.
func (p *Player) Move(from, to int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if from < 0 || from >= len(p.queue) || to < 0 || to >= len(p.queue) {
		return errors.New("no such queue position")
	}
	item := p.queue[from]
	q := append(p.queue[:from:from], p.queue[from+1:]...)
	q = append(q[:to], append([]Item{item}, q[to:]...)...)
	cur := p.currentKey()
	p.queue = q
	p.relink(cur)
	return nil
}

// Remove drops queue entry i; removing the playing track skips to the next.
func (p *Player) Remove(i int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 || i >= len(p.queue) {
		return errors.New("no such queue position")
	}
	playing := i == p.index
	cur := p.currentKey()
	p.queue = append(p.queue[:i:i], p.queue[i+1:]...)
	if len(p.queue) == 0 {
		return p.clearLocked()
	}
	if playing {
		p.index = min(i, len(p.queue)-1)
		p.reorder(p.index)
		if p.state == StatePlaying || p.state == StatePaused {
			return p.startAt(p.index, 0)
		}
		return nil
	}
	p.relink(cur)
	return nil
}

// Clear empties the queue and stops.
func (p *Player) Clear() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clearLocked()
}

func (p *Player) clearLocked() error {
	p.halts++
	p.stream.Pause()
	p.queue, p.order, p.index, p.state = nil, nil, 0, StateStopped
	p.syncFeed()
	p.statusLocked(true)
	return nil
}

// Play resumes, or starts the queue.
func (p *Player) Play() error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	if len(p.queue) == 0 {
		return errors.New("the queue is empty")
	}
	if err := p.deviceErr(); err != nil {
		return err
	}
	switch p.state {
	case StatePaused:
		p.stream.Play()
		p.state, p.held.on = StatePlaying, false
		p.statusLocked(true)
		return nil
	case StatePlaying:
		return nil
	}
	return p.startAt(p.index, p.resume)
}

// Pause pauses.
func (p *Player) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.halts++
	if p.state == StatePlaying {
		p.stream.Pause()
		p.state = StatePaused
		p.hold()
		p.statusLocked(true)
	}
	p.requestSave()
}

// Stop stops and rewinds the current track.
func (p *Player) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.halts++
	p.stream.Pause()
	p.state, p.resume = StateStopped, 0
	p.statusLocked(true)
}

// Seek jumps within the current track.
func (p *Player) Seek(pos time.Duration) error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	if len(p.queue) == 0 {
		return errors.New("nothing to seek in")
	}
	idx, _ := p.positionLocked()
	wasPlaying := p.state == StatePlaying
	if err := p.startAt(idx, p.bytesAt(pos)); err != nil {
		return err
	}
	if !wasPlaying {
		p.stream.Pause()
		p.state = StatePaused
		p.hold()
		p.statusLocked(true)
	}
	return nil
}

// Next skips to the next track in play order.
func (p *Player) Next() error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	idx, _ := p.positionLocked()
	p.feed.mu.Lock()
	repeat := p.feed.repeat
	if repeat == RepeatOne {
		p.feed.repeat = RepeatAll // a manual skip leaves the track
	}
	n, _, ok := p.feed.next(idx)
	p.feed.repeat = repeat
	p.feed.mu.Unlock()
	if !ok {
		p.stream.Pause()
		p.state = StateStopped
		p.statusLocked(true)
		return nil
	}
	return p.startAt(n, 0)
}

// Previous restarts the track, or goes back one if it just began.
func (p *Player) Previous() error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	idx, pos := p.positionLocked()
	if pos > 3*time.Second || len(p.order) == 0 {
		return p.startAt(idx, 0)
	}
	for i, q := range p.order {
		if q == idx && i > 0 {
			return p.startAt(p.order[i-1], 0)
		}
	}
	return p.startAt(idx, 0)
}

// JumpTo plays queue entry i.
func (p *Player) JumpTo(i int) error {
	halts := p.openDevice()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.halts != halts {
		return nil // stopped or paused while the device opened: the later press wins
	}
	if i < 0 || i >= len(p.queue) {
		return errors.New("no such queue position")
	}
	if p.shuffle {
		p.reorder(i) // a chosen track starts a fresh shuffle
	}
	return p.startAt(i, 0)
}

// SetVolume sets the volume, 0 to 1.
func (p *Player) SetVolume(v float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.volume = min(max(v, 0), 1)
	p.stream.SetVolume(p.volume)
	p.statusLocked(true)
}

// SetRepeat sets off, all or one.
func (p *Player) SetRepeat(mode string) error {
	if mode != RepeatOff && mode != RepeatAll && mode != RepeatOne {
		return errors.New("repeat must be off, all or one")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.repeat = mode
	p.syncFeed()
	p.statusLocked(true)
	return nil
}

// SetReplayGain sets the ReplayGain mode: track, album or off. The
// playing track's level changes at once.
func (p *Player) SetReplayGain(mode string) error {
	if mode != GainTrack && mode != GainAlbum && mode != GainOff {
		return api.FieldErrorf("replay_gain", "must be track, album or off")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rg = mode
	p.feed.setReplayGain(mode)
	p.statusLocked(true)
	return nil
}

// SetShuffle turns shuffle on or off; the playing track stays.
func (p *Player) SetShuffle(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shuffle = on
	idx, _ := p.positionLocked()
	p.reorder(idx)
	p.statusLocked(true)
}

// BytesOut is how much PCM the output has taken from the player in all.
func (p *Player) BytesOut() int64 { return p.feed.total.Load() }

// Status returns the current state.
func (p *Player) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statusValue()
}

// reorder rebuilds the play order with start first when shuffling.
func (p *Player) reorder(start int) {
	p.order = make([]int, len(p.queue))
	for i := range p.order {
		p.order[i] = i
	}
	if p.shuffle && len(p.order) > 1 {
		rand.Shuffle(len(p.order), func(i, j int) { p.order[i], p.order[j] = p.order[j], p.order[i] })
		for i, q := range p.order {
			if q == start {
				p.order[0], p.order[i] = p.order[i], p.order[0]
			}
		}
	}
	p.syncFeed()
}

// relink keeps the playing track current after the queue changed shape.
func (p *Player) relink(curKey string) {
	for i, it := range p.queue {
		if it.Key == curKey {
			p.index = i
		}
	}
	p.held.idx = p.index // a paused track keeps its place
	p.reorder(p.index)
	p.statusLocked(true)
}

func (p *Player) currentKey() string {
	if idx, _ := p.positionLocked(); idx < len(p.queue) {
		return p.queue[idx].Key
	}
	return ""
}

func (p *Player) syncFeed() {
	p.feed.setQueue(append([]Item(nil), p.queue...), append([]int(nil), p.order...), p.repeat)
}

// startAt plays queue entry idx from byte offset.
func (p *Player) startAt(idx int, offset int64) error {
	if err := p.deviceErr(); err != nil {
		return err
	}
	p.feed.mu.Lock()
	p.feed.target, p.feed.targetOf = idx, p.queue[idx]
	p.feed.mu.Unlock()
	if _, err := p.stream.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	p.index, p.resume, p.lastErr, p.held.on = idx, 0, problem{}, false
	p.stream.SetVolume(p.volume)
	p.stream.Play()
	p.state = StatePlaying
	p.statusLocked(true)
	return nil
}

// openDevice opens the sound device again if it failed, so a device
// connected since is picked up without a restart. Opening can take
// seconds, so it runs outside the lock that Status, Pause and the monitor
// need; one attempt runs at a time, and presses made meanwhile share it.
// It returns the halts count from before the attempt.
func (p *Player) openDevice() int {
	p.mu.Lock()
	halts := p.halts
	r, ok := p.out.(Reopener)
	if !ok || p.out.Err() == nil {
		p.mu.Unlock()
		return halts
	}
	if wait := p.opening; wait != nil {
		p.mu.Unlock()
		<-wait
		return halts
	}
	done := make(chan struct{})
	p.opening = done
	p.mu.Unlock()

	err := r.Reopen()

	p.mu.Lock()
	defer p.mu.Unlock()
	p.opening = nil
	close(done)
	if err == nil {
		p.stream.Close() // it belonged to the failed device
		p.stream = p.out.NewStream(p.feed)
		p.stream.SetVolume(p.volume)
	}
	return halts
}

// deviceErr reports a sound device that does not work (openDevice tried
// it again before the lock was taken).
func (p *Player) deviceErr() error {
	err := p.out.Err()
	if err == nil {
		return nil
	}
	slog.Warn("no sound device", "err", err)
	p.state, p.lastErr = StateError, problem{kind: ProblemNoDevice, detail: err.Error()}
	p.statusLocked(true)
	return ErrNoDevice
}

// hold keeps the position where the paused player stands.
func (p *Player) hold() {
	p.held.on = false
	p.held.idx, p.held.pos = p.positionLocked()
	p.held.on = true
}

// positionLocked returns the track being heard and the position in it.
func (p *Player) positionLocked() (int, time.Duration) {
	if p.state == StateStopped || p.state == StateError {
		return p.index, p.durationOf(p.resume)
	}
	if p.state == StatePaused && p.held.on {
		return p.held.idx, p.held.pos
	}
	idx, off, ok := p.feed.playing(p.stream.UnplayedBufferSize)
	if !ok {
		return p.index, 0
	}
	return idx, p.durationOf(off)
}

func (p *Player) bytesAt(d time.Duration) int64 {
	return int64(d.Seconds()*float64(p.out.SampleRate())) * bytesPerFrame
}

func (p *Player) durationOf(b int64) time.Duration {
	return time.Duration(float64(b/bytesPerFrame) / float64(p.out.SampleRate()) * float64(time.Second))
}

func (p *Player) statusValue() Status {
	idx, pos := p.positionLocked()
	s := Status{State: p.state, Index: idx, PositionMS: pos.Milliseconds(), Volume: p.volume, Repeat: p.repeat,
		Shuffle: p.shuffle, ReplayGain: p.rg, Queue: append([]Item(nil), p.queue...),
		Problem: p.lastErr.kind, ProblemTrack: p.lastErr.track, Error: p.lastErr.detail}
	if idx < len(p.queue) {
		t := p.queue[idx]
		s.Track, s.DurationMS = &t, t.DurationMS
	}
	if p.state == StatePlaying || p.state == StatePaused {
		s.Format = p.feed.heardFormat(p.stream.UnplayedBufferSize)
	}
	return s
}

// statusLocked emits the status; a final one (a change, not progress)
// also tells the monitor, which reports only while playing.
func (p *Player) statusLocked(final bool) {
	if p.emit != nil {
		p.emit.Emit(EventStatus, p.statusValue())
	}
	if final {
		select {
		case p.changed <- struct{}{}:
		default:
		}
	}
}

// monitor reports while playing: the position once a second, and as soon
// as a track boundary or the end of the queue is heard. It also notices the
// end of the queue, reports unplayable tracks and saves the state. It
// sleeps while nothing plays, so a paused or stopped player costs no
// wakeups, and a playing one few: each wakeup of the process costs far more
// CPU in the Go runtime than the work it does.
func (p *Player) monitor() {
	defer close(p.done)
	report := time.NewTimer(time.Hour)
	report.Stop()
	lastSave := time.Now()
	for {
		select {
		case <-p.stop:
			return
		case te := <-p.feed.errs:
			if p.emit != nil {
				p.emit.Emit(EventError, TrackError{Index: te.idx, Track: te.item, Error: te.err.Error()})
			}
			p.mu.Lock()
			p.lastErr = problem{kind: ProblemUnplayable, track: te.item.Title, detail: te.err.Error()}
			p.mu.Unlock()
		case <-p.changed:
			if !p.schedule(report) {
				p.requestSave() // a change made while nothing plays
			}
		case <-report.C:
			p.mu.Lock()
			if p.state == StatePlaying {
				if err := p.out.Err(); err != nil {
					p.state, p.lastErr = StateError, problem{kind: ProblemOutput, detail: err.Error()}
				} else if p.feed.finished() && !p.stream.IsPlaying() {
					p.state = StateStopped
				} else if idx, _ := p.positionLocked(); idx != p.index {
					p.index = idx
				}
				p.statusLocked(false)
			}
			p.mu.Unlock()
			if time.Since(lastSave) > 5*time.Second {
				p.requestSave()
				lastSave = time.Now()
			}
			p.schedule(report)
		}
	}
}

// Reports while playing are at most reportEvery apart, and never closer
// than reportMin (the device takes audio in chunks, so a predicted change
// can be a moment late).
const (
	reportEvery = time.Second
	reportMin   = 20 * time.Millisecond
	reportSlack = 10 * time.Millisecond
)

// schedule sets the next report while playing and reports whether one is
// due.
func (p *Player) schedule(report *time.Timer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != StatePlaying {
		report.Stop()
		p.reporting.Store(false)
		return false
	}
	next := reportEvery
	if b, ok := p.feed.untilChange(p.stream.UnplayedBufferSize); ok {
		next = min(next, p.durationOf(b)+reportSlack)
	}
	report.Reset(max(next, reportMin))
	p.reporting.Store(true)
	return true
}

type savedState struct {
	Queue      []Item  `json:"queue"`
	Index      int     `json:"index"`
	PositionMS int64   `json:"position_ms"`
	Volume     float64 `json:"volume"`
	Repeat     string  `json:"repeat"`
	Shuffle    bool    `json:"shuffle"`
	ReplayGain string  `json:"replay_gain,omitempty"`
}

// requestSave asks the saver to save soon; it never blocks, and requests
// made while a save is pending share it.
func (p *Player) requestSave() {
	select {
	case p.saves <- struct{}{}:
	default:
	}
}

// saver is the one goroutine that writes the saved state; it saves once
// more when the player closes.
func (p *Player) saver() {
	defer close(p.saved)
	for {
		select {
		case <-p.saves:
			p.save()
		case <-p.stop:
			p.save()
			return
		}
	}
}

func (p *Player) save() {
	if p.store == nil {
		return
	}
	p.mu.Lock()
	idx, pos := p.positionLocked()
	st := savedState{Queue: p.queue, Index: idx, PositionMS: pos.Milliseconds(), Volume: p.volume, Repeat: p.repeat, Shuffle: p.shuffle, ReplayGain: p.rg}
	p.mu.Unlock()
	b, _ := json.Marshal(st)
	if err := p.store.SavePlayerState(context.Background(), b); err != nil {
		slog.Warn("save the player's queue", "err", err)
	}
}

func (p *Player) restore() {
	if p.store == nil {
		return
	}
	var st savedState
	if json.Unmarshal(p.store.LoadPlayerState(context.Background()), &st) != nil {
		return
	}
	if st.ReplayGain == GainTrack || st.ReplayGain == GainAlbum || st.ReplayGain == GainOff {
		p.rg = st.ReplayGain
	}
	if len(st.Queue) == 0 {
		return
	}
	p.queue, p.volume, p.repeat, p.shuffle = st.Queue, st.Volume, st.Repeat, st.Shuffle
	if p.repeat == "" {
		p.repeat = RepeatOff
	}
	p.index = min(max(st.Index, 0), len(p.queue)-1)
	p.resume = p.bytesAt(time.Duration(st.PositionMS) * time.Millisecond)
	p.state = StatePaused
	p.reorder(p.index)
	p.state = StateStopped // nothing is loaded in the output yet; Play resumes at resume
}
