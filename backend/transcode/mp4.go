package transcode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ffmpeg's MP4 muxer writes only the iTunes tags it knows (its other mode
// drops the cover), so ReplayGain goes in as iTunes freeform atoms
// ("----", mean com.apple.iTunes), as foobar2000 and iTunes write them,
// added to moov/udta/meta/ilst here. The file must end with its moov:
// growing it then moves no sample, and no chunk offset changes.

// addFreeform appends freeform tags to the MP4 at path.
func addFreeform(path string, fields [][2]string) error {
	if len(fields) == 0 {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := withFreeform(data, fields)
	if err != nil {
		return fmt.Errorf("mp4 tags: %w", err)
	}
	return os.WriteFile(path, out, 0o600)
}

// box is an MP4 box found in a buffer: where its header starts, where
// its content starts and where it ends.
type box struct {
	typ              string
	start, body, end int
}

// children lists the boxes in data[from:to].
func children(data []byte, from, to int) ([]box, error) {
	var out []box
	for at := from; at < to; {
		if to-at < 8 {
			return nil, errors.New("truncated box header")
		}
		size := int(binary.BigEndian.Uint32(data[at:]))
		if size < 8 || at+size > to {
			return nil, fmt.Errorf("box %q has size %d: only 32-bit sizes within the file are read", data[at+4:at+8], size)
		}
		out = append(out, box{typ: string(data[at+4 : at+8]), start: at, body: at + 8, end: at + size})
		at += size
	}
	return out, nil
}

func find(boxes []box, typ string) (box, bool) {
	for _, b := range boxes {
		if b.typ == typ {
			return b, true
		}
	}
	return box{}, false
}

// withFreeform is data with the fields added at the end of its ilst.
func withFreeform(data []byte, fields [][2]string) ([]byte, error) {
	top, err := children(data, 0, len(data))
	if err != nil {
		return nil, err
	}
	if len(top) == 0 || top[len(top)-1].typ != "moov" {
		return nil, errors.New("moov is not the last box")
	}
	path := []box{top[len(top)-1]}
	for _, typ := range []string{"udta", "meta", "ilst"} {
		parent := path[len(path)-1]
		from := parent.body
		if parent.typ == "meta" {
			from += 4 // meta is a full box: version and flags first
		}
		kids, err := children(data, from, parent.end)
		if err != nil {
			return nil, err
		}
		b, ok := find(kids, typ)
		if !ok {
			return nil, fmt.Errorf("no %s in %s", typ, parent.typ)
		}
		path = append(path, b)
	}
	var add bytes.Buffer
	for _, kv := range fields {
		add.Write(freeform(kv[0], kv[1]))
	}
	ilst := path[len(path)-1]
	out := make([]byte, 0, len(data)+add.Len())
	out = append(out, data[:ilst.end]...)
	out = append(out, add.Bytes()...)
	out = append(out, data[ilst.end:]...)
	for _, b := range path { // every box holding ilst grows
		size := binary.BigEndian.Uint32(out[b.start:])
		binary.BigEndian.PutUint32(out[b.start:], size+uint32(add.Len()))
	}
	return out, nil
}

// freeform is one "----" atom: mean, name and a UTF-8 data atom.
func freeform(name, value string) []byte {
	atom := func(typ string, body ...[]byte) []byte {
		n := 8
		for _, b := range body {
			n += len(b)
		}
		out := binary.BigEndian.AppendUint32(nil, uint32(n))
		out = append(out, typ...)
		for _, b := range body {
			out = append(out, b...)
		}
		return out
	}
	zero := []byte{0, 0, 0, 0}
	utf8 := []byte{0, 0, 0, 1}
	return atom("----",
		atom("mean", zero, []byte("com.apple.iTunes")),
		atom("name", zero, []byte(strings.ToLower(name))),
		atom("data", utf8, zero, []byte(value)))
}
