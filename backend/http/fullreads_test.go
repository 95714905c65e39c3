package http

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

type writeSizes struct {
	bytes.Buffer
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.Buffer.Write(p)
}

// TestBodyReachesDiskInWholeBuffers: a body that arrives a byte at a time
// is written in 256 KiB pieces, every byte in order.
func TestBodyReachesDiskInWholeBuffers(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 40_000) // 640,000 bytes
	w := &writeSizes{}
	n, err := io.Copy(w, fullReads{iotest.OneByteReader(bytes.NewReader(body))})
	if err != nil || n != int64(len(body)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	if !bytes.Equal(w.Bytes(), body) {
		t.Fatal("the written bytes differ from the body")
	}
	want := []int{256 << 10, 256 << 10, len(body) - 512<<10}
	if len(w.sizes) != len(want) || w.sizes[0] != want[0] || w.sizes[1] != want[1] || w.sizes[2] != want[2] {
		t.Fatalf("writes of %v bytes, want %v", w.sizes, want)
	}
}

// TestCutBodyKeepsWhatArrived: a body cut mid-buffer still writes the
// bytes that came, and reports the cut.
func TestCutBodyKeepsWhatArrived(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1000)
	w := &writeSizes{}
	cut := io.MultiReader(bytes.NewReader(body), iotest.ErrReader(io.ErrClosedPipe))
	n, err := io.Copy(w, fullReads{cut})
	if err != io.ErrClosedPipe || n != 1000 || w.Len() != 1000 {
		t.Fatalf("copied %d (%d written), %v", n, w.Len(), err)
	}
}

// TestBodiesBeyondTheBufferBoundStillLand: when every chunk buffer is lent
// out, a body is still copied whole, in the pieces it comes in.
func TestBodiesBeyondTheBufferBoundStillLand(t *testing.T) {
	for range cap(bufferSlots) {
		bufferSlots <- struct{}{}
	}
	defer func() {
		for range cap(bufferSlots) {
			<-bufferSlots
		}
	}()
	body := bytes.Repeat([]byte("0123456789abcdef"), 40_000)
	w := &writeSizes{}
	n, err := io.Copy(w, fullReads{iotest.HalfReader(bytes.NewReader(body))})
	if err != nil || n != int64(len(body)) || !bytes.Equal(w.Bytes(), body) {
		t.Fatalf("copied %d of %d, %v", n, len(body), err)
	}
	for _, s := range w.sizes {
		if s > 32<<10 {
			t.Fatalf("a write of %d bytes: a chunk buffer was used beyond the bound", s)
		}
	}
}
