package testmedia

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
)

// silentFrame is one MPEG-1 layer III frame, 32 kbit/s at 32 kHz, mono,
// with all-zero side information: 144 bytes that decode to 36 ms of
// silence.
var silentFrame = func() []byte {
	f := make([]byte, 144)
	copy(f, []byte{0xff, 0xfb, 0x18, 0xc4})
	return f
}()

// SilentMP3 returns exactly size bytes of MP3 audio that every prober and
// decoder accepts: an ID3v2 tag holding random bytes (so no two calls
// return the same file), then silent frames, the last one cut to fit. It
// needs no encoder, so tests can upload files of any size from 256 bytes
// up quickly.
func SilentMP3(size int) []byte {
	var priv bytes.Buffer
	priv.WriteString("megabox-test\x00")
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // crypto/rand does not fail
	priv.Write(nonce)
	frame := make([]byte, 10, 10+priv.Len())
	copy(frame, "PRIV")
	binary.BigEndian.PutUint32(frame[4:], uint32(priv.Len()))
	frame = append(frame, priv.Bytes()...)
	tag := []byte{'I', 'D', '3', 3, 0, 0, 0, 0, 0, byte(len(frame))} // len(frame) < 128: one syncsafe byte
	tag = append(tag, frame...)
	if size < len(tag)+2*len(silentFrame) {
		panic(fmt.Sprintf("testmedia: an MP3 needs at least %d bytes", len(tag)+2*len(silentFrame)))
	}
	b := make([]byte, 0, size)
	b = append(b, tag...)
	for len(b) < size {
		b = append(b, silentFrame[:min(len(silentFrame), size-len(b))]...)
	}
	return b
}
