package media_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

// junk is n random bytes.
func junk(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestProbeRefusesBytesHiddenAfterMedia: a valid picture or a moment of
// audio followed by megabytes of anything is not an image or an MP3; nor
// is an image over the size limit, even one that is a valid PNG.
func TestProbeRefusesBytesHiddenAfterMedia(t *testing.T) {
	mp3 := testmedia.MP3(t, filepath.Join(t.TempDir(), "short.mp3"), 0.2, 440, testmedia.Tags{Title: "Short"})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"PNG + 8 MiB of junk", append(testmedia.PNG(64, 64), junk(8<<20)...), "bytes follow the end of the PNG image"},
		{"JPEG + 8 MiB of junk", append(testmedia.JPEG(64, 64), junk(8<<20)...), "bytes follow the end of the JPEG image"},
		{"PNG + 8 MiB of zeros", append(testmedia.PNG(64, 64), make([]byte, 8<<20)...), "bytes follow the end of the PNG image"},
		{"0.2 s of MP3 + 8 MiB of junk", append(bytes.Clone(mp3), junk(8<<20)...), "are neither MP3 audio nor tags"},
		{"0.2 s of MP3 + 8 MiB of zeros", append(bytes.Clone(mp3), make([]byte, 8<<20)...), "are neither MP3 audio nor tags"},
		{"0.2 s of MP3 + 1 MiB of junk", append(bytes.Clone(mp3), junk(1<<20)...), "are neither MP3 audio nor tags"},
		{"a tag of 17 MiB + 0.2 s of MP3", append(id3v2(17<<20), mp3...), "are neither MP3 audio nor tags"},
		{"a valid PNG of 21 MiB", withChunk(testmedia.PNG(64, 64), "prIv", junk(21<<20)), "over the 20 MiB limit for images"},
	}
	for _, tc := range cases {
		info, err := media.Probe(bytes.NewReader(tc.data))
		if api.ErrorCode(err) != api.EUNSUPPORTED || !strings.Contains(api.ErrorMessage(err), tc.want) {
			t.Errorf("%s: Probe = %+v, %v; want EUNSUPPORTED saying %q", tc.name, info, err, tc.want)
		}
	}
}

// TestProbeAcceptsRealFiles: files as encoders and taggers write them,
// tags at either end and cover art of any reasonable size included, are
// accepted with the duration the player's decoder finds.
func TestProbeAcceptsRealFiles(t *testing.T) {
	dir := t.TempDir()
	cover := filepath.Join(dir, "cover.png")
	if err := os.WriteFile(cover, noisePNG(220, 220), 0o644); err != nil { // over 64 KiB, so the tag outgrows the head
		t.Fatal(err)
	}
	wav := filepath.Join(dir, "tone.wav")
	run(t, "sox", "-n", "-r", "44100", "-c", "2", wav, "synth", "4", "sine", "440")
	tags := []string{"--tt", "Title", "--ta", "Artist", "--tl", "Album", "--tn", "1/10", "--ty", "2024"}
	lame := func(name string, args ...string) []byte {
		path := filepath.Join(dir, name)
		run(t, "lame", append(append([]string{"--quiet"}, args...), wav, path)...)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := map[string][]byte{
		"lame CBR 320, ID3v2 + ID3v1":                             lame("cbr.mp3", append([]string{"-b", "320", "--add-id3v2"}, tags...)...),
		"lame VBR -V 2 (Xing/LAME header), ID3v2 + ID3v1 + cover": lame("vbr.mp3", append([]string{"-V", "2", "--add-id3v2", "--ti", cover}, tags...)...),
		"lame ABR 160 with ID3v1 only":                            lame("abr.mp3", append([]string{"--abr", "160", "--id3v1-only"}, tags...)...),
		"lame 48 kHz, no tags":                                    lame("48k.mp3", "--resample", "48", "-b", "128"),
	}
	base := files["lame CBR 320, ID3v2 + ID3v1"]
	v1 := base[len(base)-128:]
	if string(v1[:3]) != "TAG" || string(base[:3]) != "ID3" {
		t.Fatalf("lame wrote no ID3v2 and ID3v1 tags: % x … % x", base[:4], v1[:4])
	}
	body := base[:len(base)-128]
	files["APEv2 with header (mp3gain) before ID3v1"] = concat(body, apeTag(true, 200), v1)
	files["APEv2 footer only, 300 KiB of lyrics"] = concat(body, apeTag(false, 300<<10), v1)
	files["ID3v2 of 200 KiB appended"] = concat(body, id3v2(200<<10), v1)
	derived := map[string]bool{"APEv2 with header (mp3gain) before ID3v1": true, "APEv2 footer only, 300 KiB of lyrics": true, "ID3v2 of 200 KiB appended": true}
	for name, data := range files {
		info, err := media.Probe(bytes.NewReader(data))
		if err != nil || info.MediaType != api.MediaMP3 {
			t.Errorf("%s: Probe = %+v, %v; want audio/mpeg", name, info, err)
			continue
		}
		if derived[name] {
			data = base // the decoder does not skip tags between frames
		}
		ref, err := media.MP3Duration(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: decoder: %v", name, err)
		}
		if info.DurationMS < 3950 || info.DurationMS > 4150 || info.DurationMS < ref-60 || info.DurationMS > ref+60 {
			t.Errorf("%s: DurationMS = %d, want about 4000 (decoder says %d)", name, info.DurationMS, ref)
		}
	}
	if b := files["lame VBR -V 2 (Xing/LAME header), ID3v2 + ID3v1 + cover"]; !bytes.Contains(b[:min(len(b), 1<<20)], []byte("APIC")) || !bytes.Contains(b, []byte("Xing")) {
		t.Fatal("the VBR file lacks its cover or its Xing header")
	}
	images := map[string][]byte{
		"PNG":                     testmedia.PNG(640, 480),
		"noisy PNG":               noisePNG(600, 600),
		"JPEG":                    testmedia.JPEG(640, 480),
		"PNG + 1 KiB of padding":  append(testmedia.PNG(64, 64), make([]byte, 1<<10)...),
		"JPEG + 1 KiB of padding": append(testmedia.JPEG(64, 64), make([]byte, 1<<10)...),
	}
	for name, data := range images {
		if info, err := media.Probe(bytes.NewReader(data)); err != nil || (info.MediaType != api.MediaPNG && info.MediaType != api.MediaJPEG) {
			t.Errorf("%s: Probe = %+v, %v", name, info, err)
		}
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// noisePNG is a PNG of random pixels: it does not compress.
func noisePNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rand.Read(img.Pix)
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// withChunk inserts a chunk before a PNG's IEND.
func withChunk(p []byte, typ string, data []byte) []byte {
	end := len(p) - 12
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	return concat(p[:end], c, p[end:])
}

// id3v2 is an ID3v2.4 tag of n bytes holding one private frame.
func id3v2(n int) []byte {
	body := n - 10
	frame := append([]byte("PRIV"), syncsafe(body-10)...)
	frame = append(frame, 0, 0)
	frame = append(frame, junk(body-10)...)
	return concat([]byte{'I', 'D', '3', 4, 0, 0}, syncsafe(body), frame)
}

func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
}

// apeTag is an APEv2 tag whose one text item takes about n bytes, with
// or without its header.
func apeTag(header bool, n int) []byte {
	item := binary.LittleEndian.AppendUint32(nil, uint32(n))
	item = binary.LittleEndian.AppendUint32(item, 0) // UTF-8 text
	item = append(item, "Lyrics\x00"...)
	item = append(item, bytes.Repeat([]byte("la la "), n/6+1)[:n]...)
	hf := func(flags uint32) []byte {
		b := append([]byte("APETAGEX"), binary.LittleEndian.AppendUint32(nil, 2000)...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(item)+32))
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = binary.LittleEndian.AppendUint32(b, flags)
		return append(b, make([]byte, 8)...)
	}
	if !header {
		return concat(item, hf(0))
	}
	const hasHeader, isHeader = 1 << 31, 1 << 29
	return concat(hf(hasHeader|isHeader), item, hf(hasHeader))
}
