package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"
)

// A flat frame (the window's dark background, or the page's light one
// before anything is laid out) is not painted; text-like stripes are.
func TestShowsContent(t *testing.T) {
	fill := func(n int, px func(i int) [3]byte) []byte {
		b := make([]byte, 0, n*4)
		for i := range n {
			c := px(i)
			b = append(b, c[2], c[1], c[0], 0) // BGRX
		}
		return b
	}
	cases := []struct {
		name string
		px   []byte
		want bool
	}{
		{"window background", fill(1000, func(int) [3]byte { return [3]byte{18, 18, 24} }), false},
		{"page background", fill(1000, func(int) [3]byte { return [3]byte{246, 245, 242} }), false},
		{"nothing", nil, false},
		{"dark text on the page", fill(1000, func(i int) [3]byte {
			if i%10 == 0 {
				return [3]byte{23, 23, 28}
			}
			return [3]byte{246, 245, 242}
		}), true},
	}
	for _, c := range cases {
		if got := showsContent(c.px); got != c.want {
			t.Errorf("%s: showsContent = %v, want %v", c.name, got, c.want)
		}
	}
}

// The bench reads a real window's pixels from a real X server: blank
// until something is drawn on it.
func TestScreenPaintedReadsTheWindow(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Skip("needs Xvfb")
	}
	display := startXvfb(t)
	s, err := openScreen(display)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	c := s.conn
	root := xproto.Setup(c).DefaultScreen(c)
	win, _ := xproto.NewWindowId(c)
	xproto.CreateWindow(c, root.RootDepth, win, root.Root, 0, 0, 200, 100, 0, xproto.WindowClassInputOutput,
		root.RootVisual, xproto.CwBackPixel, []uint32{0x121218})
	xproto.MapWindow(c, win)
	wid := fmt.Sprint(uint32(win))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(win), 0, 0, 1, 1, ^uint32(0)).Reply(); err == nil {
			break // mapped and viewable
		}
		if time.Now().After(deadline) {
			t.Fatal("the window never became viewable")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if ok, err := s.painted(wid); err != nil || ok {
		t.Fatalf("blank window: painted = %v, %v; want false", ok, err)
	}
	gc, _ := xproto.NewGcontextId(c)
	xproto.CreateGC(c, gc, xproto.Drawable(win), xproto.GcForeground, []uint32{0xf6f5f2})
	var bars []xproto.Rectangle
	for x := int16(0); x < 200; x += 8 {
		bars = append(bars, xproto.Rectangle{X: x, Y: 0, Width: 4, Height: 100})
	}
	if err := xproto.PolyFillRectangleChecked(c, xproto.Drawable(win), gc, bars).Check(); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.painted(wid); err != nil || !ok {
		t.Fatalf("window with bars drawn: painted = %v, %v; want true", ok, err)
	}
}

// startXvfb starts an X server on a free display and stops it when the
// test ends.
func startXvfb(t *testing.T) string {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "320x200x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{pw}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	pw.Close()
	buf := make([]byte, 16)
	n, err := pr.Read(buf)
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(string(buf[:n]))
}

// A phase ends the first time the app reports it: later lines with the
// same name (a bound call made after the first) do not move it.
func TestReadMarksKeepsTheFirst(t *testing.T) {
	start := time.Unix(100, 0)
	in := fmt.Sprintf("startup first-bound-call %d\nnoise\nstartup first-bound-call %d\nstartup page-loaded %d\n",
		start.Add(300*time.Millisecond).UnixNano(), start.Add(900*time.Millisecond).UnixNano(), start.Add(200*time.Millisecond).UnixNano())
	m := readMarks(strings.NewReader(in), start)
	if got := m["first-bound-call"]; got != 300*time.Millisecond {
		t.Errorf("first-bound-call at %v, want 300ms", got)
	}
	if got := m["page-loaded"]; got != 200*time.Millisecond {
		t.Errorf("page-loaded at %v, want 200ms", got)
	}
	if len(m) != 2 {
		t.Errorf("marks %v, want 2", m)
	}
}
