package media

import (
	"bytes"
	"encoding/gob"
	"errors"
)

// The running state of a Sniffer, so an upload resumed through another
// server continues the walk where the last chunk left it instead of
// reading the file again. Fields mirror the sniffer's, exported for gob.
type snifferState struct {
	N       int64
	Head    []byte
	TagEnd  int64
	Decided bool
	Kind    int
	Frames  *frameState
	Image   *imageState
	FLAC    *flacState
	Text    *textState
}

type flacState struct {
	Pos, Next, Audio int64
	Win              []byte
	Blocks           int
	Synced           bool
	Problem          string
}

type textState struct {
	N     int64
	Carry []byte
	Bad   bool
}

type frameState struct {
	Pos, Next                 int64
	Win                       []byte
	InTag                     bool
	Frames                    int64
	Samples                   [4][3]int64
	First                     []byte
	Problem                   string
	Junk, Run                 int64
	Pending, PendingRun, Tags int64
	PendingHdr                [4]byte
	LastEnd                   int64
}

type imageState struct {
	PNG           bool
	Pos, Next     int64
	Win           []byte
	Scan, FF, Bad bool
	End           int64
	Hdr           []byte
	Keep          int64
	HdrDone       bool
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (s *Sniffer) MarshalBinary() ([]byte, error) {
	st := snifferState{N: s.n, Head: s.head, TagEnd: s.tagEnd, Decided: s.decided, Kind: s.kind}
	if c := s.frames; c != nil {
		st.Frames = &frameState{Pos: c.pos, Next: c.next, Win: c.win, InTag: c.inTag, Frames: c.frames, Samples: c.samples,
			First: c.first, Junk: c.junk, Run: c.run, Pending: c.pending, PendingRun: c.pendingRun, Tags: c.tags,
			PendingHdr: c.pendingHdr, LastEnd: c.lastEnd}
		if c.problem != nil {
			st.Frames.Problem = c.problem.Error()
		}
	}
	if e := s.image; e != nil {
		st.Image = &imageState{PNG: e.png, Pos: e.pos, Next: e.next, Win: e.win, Scan: e.scan, FF: e.ff, Bad: e.bad,
			End: e.end, Hdr: e.hdr, Keep: e.keep, HdrDone: e.hdrDone}
	}
	if w := s.flac; w != nil {
		st.FLAC = &flacState{Pos: w.pos, Next: w.next, Audio: w.audio, Win: w.win, Blocks: w.blocks, Synced: w.synced, Problem: w.problem}
	}
	if t := s.text; t != nil {
		st.Text = &textState{N: t.n, Carry: t.carry, Bad: t.bad}
	}
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(st)
	return b.Bytes(), err
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (s *Sniffer) UnmarshalBinary(data []byte) error {
	var st snifferState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return err
	}
	*s = Sniffer{n: st.N, head: st.Head, tagEnd: st.TagEnd, decided: st.Decided, kind: st.Kind}
	if f := st.Frames; f != nil {
		s.frames = &FrameCounter{pos: f.Pos, next: f.Next, win: f.Win, inTag: f.InTag, frames: f.Frames, samples: f.Samples,
			first: f.First, junk: f.Junk, run: f.Run, pending: f.Pending, pendingRun: f.PendingRun, tags: f.Tags,
			pendingHdr: f.PendingHdr, lastEnd: f.LastEnd}
		if f.Problem != "" {
			s.frames.problem = errors.New(f.Problem)
		}
	}
	if i := st.Image; i != nil {
		s.image = &imageEnd{png: i.PNG, pos: i.Pos, next: i.Next, win: i.Win, scan: i.Scan, ff: i.FF, bad: i.Bad,
			end: i.End, hdr: i.Hdr, keep: i.Keep, hdrDone: i.HdrDone}
	}
	if w := st.FLAC; w != nil {
		s.flac = &sniffFLACWalk{pos: w.Pos, next: w.Next, audio: w.Audio, win: w.Win, blocks: w.Blocks, synced: w.Synced, problem: w.Problem}
	}
	if t := st.Text; t != nil {
		s.text = &sniffText{n: t.N, carry: t.Carry, bad: t.Bad}
	}
	return nil
}
