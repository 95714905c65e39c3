package main

import (
	"fmt"
	"io"
	"log"
	"math"
	"strconv"
	"sync"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// screen reads windows' pixels straight from an X server. One GetImage
// over the socket takes a few milliseconds, where a screenshot through
// ImageMagick took 100–200 ms and made the first painted frame look that
// much later than it was.
type screen struct{ conn *xgb.Conn }

// quietX silences xgb's logger, once, before any connection reads it:
// it reports a missing ~/.Xauthority, which Xvfb -nolisten tcp does not need.
var quietX = sync.OnceFunc(func() { xgb.Logger = log.New(io.Discard, "", 0) })

func openScreen(display string) (*screen, error) {
	quietX()
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("connect to X display %s: %w", display, err)
	}
	return &screen{conn: c}, nil
}

func (s *screen) close() { s.conn.Close() }

// painted reports whether the window (an id as xdotool prints it) shows
// more than a flat background: the window's own background colour, or
// the page's before anything is laid out on it, is flat.
func (s *screen) painted(wid string) (bool, error) {
	id, err := strconv.ParseUint(wid, 10, 32)
	if err != nil {
		return false, fmt.Errorf("window id %q: %w", wid, err)
	}
	d := xproto.Drawable(id)
	g, err := xproto.GetGeometry(s.conn, d).Reply()
	if err != nil {
		return false, nil // not there yet
	}
	img, err := xproto.GetImage(s.conn, xproto.ImageFormatZPixmap, d, 0, 0, g.Width, g.Height, math.MaxUint32).Reply()
	if err != nil {
		return false, nil // not viewable yet
	}
	if len(img.Data) < int(g.Width)*int(g.Height)*4 {
		return false, fmt.Errorf("window image of %d bytes for %d×%d: want 32 bits a pixel", len(img.Data), g.Width, g.Height)
	}
	return showsContent(img.Data), nil
}

// showsContent reports whether 32-bit BGRX pixels are more than a flat
// background: the standard deviation of their brightness (0–1) is above
// 0.05. Text and controls on a page give about 0.09; one colour gives 0.
func showsContent(bgrx []byte) bool {
	var sum, sq float64
	n := len(bgrx) / 4
	if n == 0 {
		return false
	}
	for i := 0; i+3 < len(bgrx); i += 4 {
		y := (0.0722*float64(bgrx[i]) + 0.7152*float64(bgrx[i+1]) + 0.2126*float64(bgrx[i+2])) / 255
		sum += y
		sq += y * y
	}
	mean := sum / float64(n)
	return math.Sqrt(max(0, sq/float64(n)-mean*mean)) > 0.05
}
