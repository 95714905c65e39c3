package player

import (
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// slowOutput is a device that is gone and whose reopening blocks until
// the test lets it finish, as a missing device can for seconds.
type slowOutput struct {
	fakeOutput
	open    atomic.Bool
	entered chan struct{} // closed when Reopen starts
	finish  chan struct{} // closing it lets Reopen succeed
}

func (o *slowOutput) Err() error {
	if o.open.Load() {
		return nil
	}
	return os.ErrNotExist
}

func (o *slowOutput) Reopen() error {
	close(o.entered)
	<-o.finish
	o.open.Store(true)
	return nil
}

// While the sound device is being opened, the player still answers:
// Status and Pause return though opening has not ended, and Pause, the
// later press, wins over the Play that opened the device.
func TestOpeningTheDeviceBlocksNothing(t *testing.T) {
	out := &slowOutput{fakeOutput: fakeOutput{rate: 44100}, entered: make(chan struct{}), finish: make(chan struct{})}
	p := New(out, nil, nil)
	defer p.Close()
	items, _ := tracks(t, 1, 0.3)
	p.Enqueue(items...)
	played := make(chan error, 1)
	go func() { played <- p.Play() }()
	select {
	case <-out.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("Play never tried to open the device")
	}

	answered := make(chan Status, 1)
	go func() { p.Pause(); answered <- p.Status() }()
	select {
	case st := <-answered:
		if st.State == StatePlaying {
			t.Errorf("state %q while the device opens", st.State)
		}
	case <-time.After(10 * time.Second):
		close(out.finish)
		t.Fatal("Pause and Status waited for the device to open")
	}
	close(out.finish)
	if err := <-played; err != nil {
		t.Fatalf("Play: %v", err)
	}
	if st := p.Status(); st.State == StatePlaying {
		t.Errorf("state %q: Play went on after Pause was pressed", st.State)
	}
	if err := p.Play(); err != nil {
		t.Fatalf("Play on the opened device: %v", err)
	}
	if st := p.Status(); st.State != StatePlaying {
		t.Errorf("state %q after Play, want %q", st.State, StatePlaying)
	}
}
