package transcode_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob/disk"
	"github.com/megabox-fm/megabox/backend/jobs"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/store"
	"github.com/megabox-fm/megabox/backend/store/sqlite"
	"github.com/megabox-fm/megabox/backend/transcode"
	"github.com/megabox-fm/megabox/internal/testmedia"
	"github.com/megabox-fm/megabox/internal/wait"
)

const patience = 2 * time.Minute

// rig is a store, a bucket, a running queue and the service over them.
type rig struct {
	t      *testing.T
	dir    string
	db     store.Store
	bucket *disk.Bucket
	q      *jobs.Queue
	svc    *transcode.Service
	artist int64
	cover  string
	// counted counts the service's bookkeeping writes.
	counted *countingStore
}

func newRig(t *testing.T) *rig {
	t.Helper()
	testmedia.HaveTools(t, "ffmpeg", "ffprobe", "sox", "flac")
	dir := t.TempDir()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := disk.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(db, jobs.Config{Backoff: time.Millisecond, Poll: 20 * time.Millisecond}, nil)
	counted := &countingStore{Store: db}
	svc, err := transcode.NewService(counted, bucket, q, filepath.Join(dir, "scratch"), nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); q.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; db.Close() })
	r := &rig{t: t, dir: dir, db: db, bucket: bucket, q: q, svc: svc, counted: counted}
	err = db.WithTx(ctx, func(tx store.Tx) error {
		r.artist, err = tx.InsertAccount(ctx, &api.Account{Email: "ann@example.com", DisplayName: "Ann", Creator: true, CreatedAt: time.Now()}, "x")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r.cover = r.blob(testmedia.JPEG(64, 64), api.Blob{MediaType: api.MediaJPEG, Width: 64, Height: 64})
	return r
}

// blob stores data as a blob the artist owns.
func (r *rig) blob(data []byte, b api.Blob) string {
	r.t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256(data)
	b.SHA256, b.Size = hex.EncodeToString(sum[:]), int64(len(data))
	if _, err := r.bucket.Put(ctx, b.SHA256, bytes.NewReader(data)); err != nil {
		r.t.Fatal(err)
	}
	err := r.db.WithTx(ctx, func(tx store.Tx) error { return tx.OwnBlob(ctx, r.artist, b, time.Now()) })
	if err != nil {
		r.t.Fatal(err)
	}
	return b.SHA256
}

// master stores a FLAC file as a master blob.
func (r *rig) master(path string, rate, bits, channels int, seconds float64) string {
	r.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.blob(data, api.Blob{MediaType: api.MediaFLAC, SampleRate: rate, BitDepth: bits, Channels: channels, DurationMS: int64(seconds * 1000)})
}

// release makes a release of the masters, in order, and returns its tracks.
func (r *rig) release(masters ...string) []api.TrackFile {
	r.t.Helper()
	ctx := context.Background()
	m := api.Manifest{Title: "Night Drive", ArtistName: "Ann", ReleaseDate: "2024-05-17", PriceCents: 700, Currency: "EUR", CoverSHA256: r.cover}
	for i, sha := range masters {
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: fmt.Sprintf("Undertow %d", i+1), AudioSHA256: sha})
	}
	var id int64
	err := r.db.WithTx(ctx, func(tx store.Tx) error {
		var err error
		if id, err = tx.InsertRelease(ctx, r.artist, m, time.Now()); err != nil {
			return err
		}
		return tx.ReplaceTracks(ctx, id, m.Tracks)
	})
	if err != nil {
		r.t.Fatal(err)
	}
	rel, err := r.db.Release(ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []api.TrackFile
	for _, t := range rel.Tracks {
		out = append(out, api.TrackFile{TrackID: t.ID, ReleaseID: id, Position: t.Position, Title: t.Title, AudioSHA256: m.Tracks[t.Position-1].AudioSHA256})
	}
	return out
}

// download asks for a track in f until it is ready, and writes it to a file.
func (r *rig) download(tf api.TrackFile, f api.Format) (path string, served api.Format, first *api.TranscodeProgress) {
	r.t.Helper()
	var file *api.ArchiveFile
	wait.For(r.t, patience, func() bool {
		var p *api.TranscodeProgress
		var err error
		file, served, p, err = r.svc.TrackIn(context.Background(), &tf, f)
		if err != nil {
			r.t.Fatalf("TrackIn(%s): %v", f, err)
		}
		if first == nil && p != nil {
			first = p
		}
		if p != nil && p.State == api.TranscodeFailed {
			r.t.Fatalf("transcode to %s failed", f)
		}
		return p == nil
	}, func() string { return fmt.Sprintf("track %d in %s", tf.TrackID, f) })
	path = filepath.Join(r.t.TempDir(), file.Name)
	obj, err := r.bucket.Open(context.Background(), file.SHA256)
	if err != nil {
		r.t.Fatal(err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		r.t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != file.SHA256 || int64(len(data)) != file.Size {
		r.t.Fatalf("blob %s holds %d bytes hashing elsewhere", file.SHA256, len(data))
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return path, served, first
}

// probe is what ffprobe reads of a file: its tags (keys lowercased, the
// container's and the audio stream's together), codec and cover.
type probe struct {
	Tags  map[string]string
	Codec string
	Cover bool
	Rate  string
}

func probeFile(t *testing.T, path string) probe {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"format_tags:stream_tags:stream=codec_type,codec_name,sample_rate:stream_disposition=attached_pic", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var raw struct {
		Streams []struct {
			CodecType   string            `json:"codec_type"`
			CodecName   string            `json:"codec_name"`
			SampleRate  string            `json:"sample_rate"`
			Tags        map[string]string `json:"tags"`
			Disposition map[string]int    `json:"disposition"`
		} `json:"streams"`
		Format struct {
			Tags map[string]string `json:"tags"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	p := probe{Tags: map[string]string{}}
	add := func(m map[string]string) {
		for k, v := range m {
			p.Tags[strings.ToLower(k)] = v
		}
	}
	add(raw.Format.Tags)
	for _, s := range raw.Streams {
		switch {
		case s.Disposition["attached_pic"] == 1:
			p.Cover = true
		case s.CodecType == "audio":
			p.Codec, p.Rate = s.CodecName, s.SampleRate
			add(s.Tags)
		}
	}
	return p
}

// pcm decodes a FLAC file's samples as Debian's flac writes them.
func pcm(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command("flac", "-d", "-s", "-c", "--force-raw-format", "--endian=little", "--sign=signed", path).Output()
	if err != nil {
		t.Fatalf("flac -d %s: %v", path, err)
	}
	return out
}

// decoded is a file's audio decoded by ffmpeg as stereo float at 48 kHz.
func decoded(t *testing.T, path string) []float32 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", "-ac", "2",
		"-af", "aresample=resampler=soxr", "-ar", "48000", "-f", "f32le", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	s := make([]float32, len(out)/4)
	binary.Read(bytes.NewReader(out), binary.LittleEndian, s)
	return s
}

// snr is how far b is from the reference a, in dB, once aligned (a
// decoder may leave a few samples of encoder delay): the power of a over
// that of the difference, away from the ends.
func snr(a, b []float32) (db float64, lag int) {
	lag = bestLag(a, b, 1024)
	var sig, noise float64
	edge := 4800 * 2 // 0.1 s of stereo frames
	for i := edge; i+edge < len(a); i++ {
		j := i + lag*2
		if j < 0 || j >= len(b) {
			continue
		}
		d := float64(a[i]) - float64(b[j])
		sig += float64(a[i]) * float64(a[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/math.Max(noise, 1e-30)), lag
}

// bestLag is the shift of b (in frames) that best matches a, found by
// cross-correlating one second of the left channel.
func bestLag(a, b []float32, most int) int {
	from, n := 48000*2, 48000
	best, bestAt := math.Inf(-1), 0
	for lag := -most; lag <= most; lag++ {
		var c float64
		for i := from; i < from+n*2; i += 2 {
			j := i + lag*2
			if j < 0 || j >= len(b) || i >= len(a) {
				continue
			}
			c += float64(a[i]) * float64(b[j])
		}
		if c > best {
			best, bestAt = c, lag
		}
	}
	return bestAt
}

// musicMaster is a FLAC master of the given shape.
func musicMaster(t *testing.T, seconds float64, rate, bits, channels int) string {
	t.Helper()
	return testmedia.MusicMasterFLAC(t, t.TempDir(), fmt.Sprintf("m%d-%d-%d.flac", rate, bits, channels), seconds, rate, bits, channels)
}

// buyer is a fan who bought the release, as a request context of theirs.
func buyer(t *testing.T, r *rig, releaseID int64) context.Context {
	t.Helper()
	ctx := context.Background()
	var fan *api.Account
	err := r.db.WithTx(ctx, func(tx store.Tx) error {
		fan = &api.Account{Email: fmt.Sprintf("fan%d@example.com", time.Now().UnixNano()), DisplayName: "Fan", CreatedAt: time.Now()}
		var err error
		if fan.ID, err = tx.InsertAccount(ctx, fan, "x"); err != nil {
			return err
		}
		_, err = tx.InsertPurchase(ctx, store.Sale{FanID: fan.ID, ReleaseID: releaseID, ArtistID: r.artist, Split: ledger.Split{Gross: 700, Creator: 700},
			Currency: "EUR", Provider: "sandbox", PaymentRef: fmt.Sprint("ref", fan.ID), CreatedAt: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return api.NewContextWithCaller(ctx, &api.Caller{Account: *fan})
}

// fetch writes a blob to a file.
func (r *rig) fetch(sha string) string {
	r.t.Helper()
	obj, err := r.bucket.Open(context.Background(), sha)
	if err != nil {
		r.t.Fatal(err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join(r.t.TempDir(), sha)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return path
}

// decodedBytes is a file's audio as ffmpeg decodes it, untouched.
func decodedBytes(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:a:0", "-f", "f32le", "-").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return out
}

type mp3File struct {
	path string
	data []byte
}

func encodeMP3(t *testing.T) mp3File {
	t.Helper()
	testmedia.HaveTools(t, "lame")
	path := filepath.Join(t.TempDir(), "master.mp3")
	return mp3File{path: path, data: testmedia.MP3(t, path, 2, 440, testmedia.Tags{Title: "Old title"})}
}

func waitFor(t *testing.T, ok func() bool, what func() string) { wait.For(t, patience, ok, what) }
