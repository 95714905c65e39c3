package player

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/internal/wait"

	"github.com/hajimehoshi/go-mp3"

	"github.com/megabox-fm/megabox/internal/testmedia"
)

// tracks makes n short MP3s and returns queue items and their decoded PCM.
func tracks(t *testing.T, n int, seconds float64) ([]Item, [][]byte) {
	t.Helper()
	dir := t.TempDir()
	var items []Item
	var pcm [][]byte
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("%d.mp3", i))
		testmedia.MP3(t, p, seconds, 220*float64(i+1), testmedia.Tags{})
		items = append(items, Item{Key: fmt.Sprint(i), Path: p, Title: fmt.Sprint("T", i), DurationMS: int64(seconds * 1000)})
		pcm = append(pcm, decodeAll(t, p))
	}
	return items, pcm
}

// decodeAll is go-mp3's decode of p as the output plays it: float32.
func decodeAll(t *testing.T, p string) []byte {
	f, _ := os.Open(p)
	defer f.Close()
	d, err := mp3.NewDecoder(f)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(d)
	out := make([]byte, len(b)/2*4)
	for i := 0; i+1 < len(b); i += 2 {
		v := float32(int16(binary.LittleEndian.Uint16(b[i:]))) / 32768
		binary.LittleEndian.PutUint32(out[i*2:], math.Float32bits(v))
	}
	return out
}

// settle is two MP3 frames of output: after a seek the decoder's output
// matches a straight decode from then on.
const settle = 2 * 1152 * bytesPerFrame

func newTestPlayer(t *testing.T) (*Player, *fakeStream, *recorder) {
	rec := &recorder{}
	p := New(&fakeOutput{rate: 44100}, rec, &memStore{})
	t.Cleanup(func() { p.Close() })
	return p, p.stream.(*fakeStream), rec
}

func TestGaplessQueue(t *testing.T) {
	p, s, _ := newTestPlayer(t)
	items, pcm := tracks(t, 3, 1)
	if err := p.PlayQueue(items, 0); err != nil {
		t.Fatal(err)
	}
	got := s.drain()
	want := bytes.Join(pcm, nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("played %d bytes, want exactly the %d decoded bytes of the three tracks back to back", len(got), len(want))
	}
	// Around each boundary the bytes are the tail of one track and the head
	// of the next: nothing inserted.
	at := len(pcm[0])
	if !bytes.Equal(got[at-64:at+64], append(append([]byte(nil), pcm[0][len(pcm[0])-64:]...), pcm[1][:64]...)) {
		t.Fatal("the boundary between tracks 1 and 2 is not seamless")
	}
	wait.For(t, 10*time.Second, func() bool { return p.Status().State == StateStopped },
		func() string { return fmt.Sprintf("after the queue ends: state %q", p.Status().State) })
}

func TestSeekPositionAndSkip(t *testing.T) {
	p, s, _ := newTestPlayer(t)
	items, pcm := tracks(t, 3, 2)
	p.PlayQueue(items, 0)
	s.pump(44100 * bytesPerFrame / 2) // half a second
	st := p.Status()
	if st.Index != 0 || st.PositionMS < 490 || st.PositionMS > 510 {
		t.Fatalf("after 0.5 s: index %d position %d ms", st.Index, st.PositionMS)
	}
	if err := p.Seek(1500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	off := 44100 * 3 / 2 * bytesPerFrame
	// A decoder that seeks rebuilds its state within two frames.
	if got := s.pump(settle + 4000); !bytes.Equal(got[settle:], pcm[0][off+settle:off+settle+4000]) {
		t.Fatal("after seeking to 1.5 s the bytes are not the track's from 1.5 s")
	}
	// Play past the boundary: the position follows what is heard, not read.
	rest := len(pcm[0]) - off - settle - 4000
	s.pump(rest + 1000)
	if st := p.Status(); st.Index != 1 || st.PositionMS > 20 {
		t.Fatalf("just into track 2: index %d position %d", st.Index, st.PositionMS)
	}
	p.Next()
	if got := s.pump(1000); !bytes.Equal(got, pcm[2][:1000]) {
		t.Fatal("Next did not start track 3")
	}
	p.Previous()
	if got := s.pump(1000); !bytes.Equal(got, pcm[1][:1000]) {
		t.Fatal("Previous at the start of track 3 did not go to track 2")
	}
	s.pump(44100 * 4 * 1)                 // 1 s in
	s.pump(44100 * bytesPerFrame * 3 / 1) // past 3 s? track is 2 s: now in track 3
	p.JumpTo(0)
	p.Pause()
	if st := p.Status(); st.State != StatePaused || st.Index != 0 {
		t.Fatalf("after JumpTo+Pause: %+v", st)
	}
	if got := s.pump(1000); got != nil {
		t.Fatal("a paused player played")
	}
	p.Play()
	if got := s.pump(1000); !bytes.Equal(got, pcm[0][:1000]) {
		t.Fatal("resume after pause lost the position")
	}
}

// TestPositionIgnoresReadAhead: the device reading ahead between the
// player's look at its buffer and at the bytes it was given does not move
// the position: a player that counted those bytes as heard jumped forward
// by the read and back on the next look.
func TestPositionIgnoresReadAhead(t *testing.T) {
	p, s, _ := newTestPlayer(t)
	items, _ := tracks(t, 1, 2)
	p.PlayQueue(items, 0)
	s.pump(44100 * bytesPerFrame / 2)
	before := p.Status().PositionMS
	s.readAfterNextCount(44100 * bytesPerFrame / 5) // 200 ms
	if got := p.Status().PositionMS; got != before {
		t.Fatalf("the position is %d ms with a read ahead under way, want %d ms as before it", got, before)
	}
	if got := p.Status().PositionMS; got != before {
		t.Fatalf("after the read ahead the position is %d ms, want %d ms: nothing more was played", got, before)
	}
}

func TestQueueEditsRepeatShuffle(t *testing.T) {
	p, s, _ := newTestPlayer(t)
	items, pcm := tracks(t, 4, 0.5)
	p.PlayQueue(items[:2], 0)
	p.Enqueue(items[2], items[3])
	if n := len(p.Status().Queue); n != 4 {
		t.Fatalf("queue has %d entries", n)
	}
	p.Move(3, 1) // 0, 3, 1, 2
	p.Remove(3)  // 0, 3, 1
	got := s.drain()
	if want := bytes.Join([][]byte{pcm[0], pcm[3], pcm[1]}, nil); !bytes.Equal(got, want) {
		t.Fatal("edited queue did not play 0, 3, 1")
	}
	// Repeat one plays the track again and again.
	p.SetRepeat(RepeatOne)
	p.JumpTo(1)
	got = s.pump(len(pcm[3])*2 + 100)
	if !bytes.Equal(got[:len(pcm[3])], pcm[3]) || !bytes.Equal(got[len(pcm[3]):2*len(pcm[3])], pcm[3]) {
		t.Fatal("repeat one did not repeat")
	}
	// Repeat all wraps around.
	p.SetRepeat(RepeatAll)
	p.JumpTo(2)
	got = s.pump(len(pcm[1]) + len(pcm[0]))
	if !bytes.Equal(got, append(append([]byte(nil), pcm[1]...), pcm[0]...)) {
		t.Fatal("repeat all did not wrap to the first track")
	}
	if err := p.SetRepeat("sometimes"); err == nil {
		t.Fatal("bad repeat mode accepted")
	}
	// Shuffle keeps the playing track and plays every track once.
	p.SetRepeat(RepeatOff)
	p.SetShuffle(true)
	p.JumpTo(0)
	got = s.drain()
	if len(got) != len(pcm[0])+len(pcm[3])+len(pcm[1]) {
		t.Fatalf("shuffled queue played %d bytes", len(got))
	}
	p.Clear()
	if st := p.Status(); len(st.Queue) != 0 || st.State != StateStopped {
		t.Fatalf("after Clear: %+v", st)
	}
}

func TestDamagedFilesAreSkipped(t *testing.T) {
	p, s, rec := newTestPlayer(t)
	items, pcm := tracks(t, 2, 0.5)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.mp3")
	os.WriteFile(junk, []byte("this is not audio at all"), 0o644)
	full, _ := os.ReadFile(items[1].Path)
	cut := filepath.Join(dir, "cut.mp3")
	os.WriteFile(cut, full[:len(full)/2], 0o644)
	queue := []Item{items[0], {Key: "junk", Path: junk, Title: "Junk"}, {Key: "gone", Path: filepath.Join(dir, "missing.mp3"), Title: "Gone"}, items[1], {Key: "cut", Path: cut, Title: "Cut"}}
	if err := p.PlayQueue(queue, 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() { done <- s.drain() }()
	select {
	case got := <-done:
		if !bytes.Equal(got[:len(pcm[0])], pcm[0]) || !bytes.Equal(got[len(pcm[0]):len(pcm[0])+len(pcm[1])], pcm[1]) {
			t.Fatal("good tracks around damaged ones did not play intact")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the player hung on damaged files")
	}
	wait.For(t, 10*time.Second, func() bool { return len(rec.errors()) >= 2 },
		func() string { return fmt.Sprintf("errors reported: %+v", rec.errors()) })
}

func TestQueueAndPositionSurviveRestart(t *testing.T) {
	store := &memStore{}
	out := &fakeOutput{rate: 44100}
	items, pcm := tracks(t, 2, 2)
	p := New(out, nil, store)
	p.PlayQueue(items, 1)
	p.stream.(*fakeStream).pump(44100 * bytesPerFrame) // 1 s into track 2
	p.SetVolume(0.4)
	p.Close()

	q := New(out, nil, store)
	defer q.Close()
	st := q.Status()
	if len(st.Queue) != 2 || st.Index != 1 || st.PositionMS < 990 || st.PositionMS > 1010 || st.Volume != 0.4 {
		t.Fatalf("restored status: %+v", st)
	}
	if err := q.Play(); err != nil {
		t.Fatal(err)
	}
	off := 44100 * bytesPerFrame
	got := q.stream.(*fakeStream).pump(settle + 2000)
	if !bytes.Equal(got[settle:], pcm[1][off+settle:off+settle+2000]) {
		t.Fatal("after a restart playback did not resume where it stopped")
	}
}

func TestNoAudioDevice(t *testing.T) {
	rec := &recorder{}
	p := New(&fakeOutput{rate: 44100, err: fmt.Errorf("no ALSA device")}, rec, nil)
	defer p.Close()
	items, _ := tracks(t, 1, 0.3)
	err := p.PlayQueue(items, 0)
	if err == nil || p.Status().State != StateError {
		t.Fatalf("PlayQueue without a device: %v, state %q", err, p.Status().State)
	}
}
