package sync

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dhowden/tag"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/media"
)

// Lossless masters. A FLAC is uploaded as it is once its audio decodes and
// matches its MD5; a WAV or AIFF is encoded to FLAC on this computer, the
// encode decoded back and compared with the original's samples, and the
// encode is what is uploaded (the folder keeps the original).
//
//	file ─▶ sha256 ─▶ masters[sha256]? ──yes──▶ (no decoding)
//	                        │ no
//	                        ▼
//	      FLAC: decode + MD5 check      WAV/AIFF: encode ─▶ decode + compare
//	                        │                    │
//	                        └──▶ masters[sha256] ◀┘   (format, clipping, silence, upload sha)

// Codecs of lossless files in a release folder.
const (
	codecFLAC = "flac"
	codecWAV  = "wav"
	codecAIFF = "aiff"
)

// losslessCodec is the codec a lossless file's name says it holds.
func losslessCodec(rel string) string {
	switch strings.ToLower(path.Ext(rel)) {
	case ".flac":
		return codecFLAC
	case ".wav":
		return codecWAV
	case ".aif", ".aiff", ".aifc":
		return codecAIFF
	}
	return ""
}

// MasterInfo is what a lossless file's check found, kept with its tags
// in the cache record.
type MasterInfo struct {
	Codec      string `json:"codec"` // of the file in the folder
	SampleRate int    `json:"sample_rate"`
	BitDepth   int    `json:"bit_depth"`
	Channels   int    `json:"channels"`
	Clipped    int64  `json:"clipped,omitempty"`
	Silent     bool   `json:"silent,omitempty"`
	Upload     string `json:"upload"` // sha256 of the FLAC uploaded
	UploadSize int64  `json:"upload_size"`
}

func masterInfo(m *cache.Master) *MasterInfo {
	return &MasterInfo{Codec: m.Codec, SampleRate: m.SampleRate, BitDepth: m.BitDepth, Channels: m.Channels,
		Clipped: m.Clipped, Silent: m.Silent, Upload: m.UploadSHA, UploadSize: m.UploadSize}
}

// warning is what the creator should know about a master that still
// syncs: clipping or silence. Nil for none.
func (m *MasterInfo) warning() *Problem {
	switch {
	case m == nil:
		return nil
	case m.Silent:
		return &Problem{Kind: KindSilent, Detail: "the audio is silent from start to end"}
	case m.Clipped > 0:
		return &Problem{Kind: KindClipping, Count: int(min(m.Clipped, 1<<30)), Detail: fmt.Sprintf("the audio clips %d times (runs of full-scale samples)", m.Clipped)}
	}
	return nil
}

// FileProblem is what the window shows beside a file: its error, or for
// a master that synced, a warning about its audio (clipping, silence).
func FileProblem(f cache.File) *Problem {
	if p := ParseProblem(f.Error); p != nil {
		return p
	}
	return tagsFrom(f.Tags).Master.warning()
}

// master checks a lossless file whose content hashed to sha, once per
// content: the cache keeps the result. A Problem is the creator's to fix;
// an error is this computer's (the cache, the disk) or errChanged.
func (e *Engine) master(ctx context.Context, f localFile, sha string) (*cache.Master, *Problem, error) {
	if m, err := e.cache.MasterFor(ctx, sha); err == nil && encodeIntact(m) {
		return m, nil, nil
	} else if err != nil && !cache.IsNotFound(err) {
		return nil, nil, err
	}
	fh, err := os.Open(f.abs)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	h := sha256.New()
	src := bufio.NewReaderSize(io.TeeReader(&countingReader{ctx: ctx, r: fh, n: &e.bytesRead}, h), 1<<20)
	codec := losslessCodec(f.rel)
	var m *cache.Master
	if codec == codecFLAC {
		m, err = checkFLAC(src, sha, f.size)
	} else {
		m, err = e.encode(ctx, src, codec, sha)
	}
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if p := audioProblem(err, codec); p != nil {
		return nil, p, nil
	} else if err != nil {
		return nil, nil, err
	}
	if _, err := io.Copy(io.Discard, src); err != nil { // what follows the audio is part of the content too
		return nil, nil, err
	}
	if hex.EncodeToString(h.Sum(nil)) != sha {
		if m.Encoded != "" {
			os.Remove(m.Encoded)
		}
		return nil, nil, errChanged
	}
	if err := e.cache.PutMaster(ctx, *m); err != nil {
		return nil, nil, err
	}
	return m, nil, nil
}

// encodeIntact reports whether a master's encode (if it has one) is still
// on disk as it was made.
func encodeIntact(m *cache.Master) bool {
	if m.Encoded == "" {
		return true
	}
	fi, err := os.Stat(m.Encoded)
	return err == nil && fi.Size() == m.UploadSize
}

func checkFLAC(src io.Reader, sha string, size int64) (*cache.Master, error) {
	a, err := media.CheckFLAC(src)
	if err == nil {
		err = media.CheckMaster(a.Format)
	}
	if err != nil {
		return nil, err
	}
	return newMaster(sha, codecFLAC, a, sha, size, ""), nil
}

func newMaster(sha, codec string, a media.Analysis, upload string, size int64, encoded string) *cache.Master {
	f := a.Format
	return &cache.Master{SHA256: sha, Codec: codec, SampleRate: f.SampleRate, BitDepth: f.BitDepth, Channels: f.Channels,
		DurationMS: a.DurationMS, Clipped: a.ClippedRuns, Silent: a.Silent, UploadSHA: upload, UploadSize: size, Encoded: encoded}
}

// encode turns a WAV or AIFF into FLAC in the cache's folder, named by
// the source's sha256, and proves it bit-exact by decoding it back.
func (e *Engine) encode(ctx context.Context, src io.Reader, codec, sha string) (*cache.Master, error) {
	open := media.OpenWAV
	if codec == codecAIFF {
		open = media.OpenAIFF
	}
	pcm, err := open(src)
	if err == nil {
		err = media.CheckMaster(pcm.Format())
	}
	if err != nil {
		return nil, err
	}
	dir, err := e.cache.EncodeDir(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, sha+"-*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	in, err := media.EncodeFLAC(tmp, pcm)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	upload, size, err := verifyEncode(tmp.Name(), in)
	if err != nil {
		return nil, err
	}
	dst := filepath.Join(dir, sha+".flac")
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return nil, err
	}
	return newMaster(sha, codec, in, upload, size, dst), nil
}

// verifyEncode decodes an encode and compares its samples with the
// source's (by their MD5), returning the encode's sha256 and size.
func verifyEncode(p string, in media.Analysis) (string, int64, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	h := sha256.New()
	out, err := media.CheckFLAC(bufio.NewReaderSize(io.TeeReader(fh, h), 1<<20))
	if err != nil {
		return "", 0, fmt.Errorf("decode the encode: %w", err)
	}
	if out.MD5 != in.MD5 || out.Format != in.Format {
		return "", 0, errors.New("the FLAC encode does not decode to the original samples")
	}
	if _, err := io.Copy(h, fh); err != nil {
		return "", 0, err
	}
	fi, err := fh.Stat()
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), fi.Size(), nil
}

// audioProblem types what decoding a master found wrong; nil for an
// error that is not about the audio.
func audioProblem(err error, codec string) *Problem {
	var ae *media.AudioError
	if !errors.As(err, &ae) {
		return nil
	}
	name := strings.ToUpper(codec)
	p := &Problem{Name: name, Detail: ae.Detail}
	switch {
	case errors.Is(err, media.ErrAudioChecksum):
		p.Kind = KindFLACChecksum
	case errors.Is(err, media.ErrAudioUnsupported):
		p.Kind = KindAudioFormat
	case errors.Is(err, media.ErrAudioFormat):
		p.Kind = KindNotAudio
	default:
		p.Kind = KindAudioDamaged
	}
	return p
}

// losslessTags reads a FLAC's Vorbis comments (WAV and AIFF are named by
// their file name and megabox.json). Unreadable tags are no tags.
func losslessTags(f localFile) Tags {
	if losslessCodec(f.rel) != codecFLAC {
		return Tags{}
	}
	fh, err := os.Open(f.abs)
	if err != nil {
		return Tags{}
	}
	defer fh.Close()
	t, err := readTagsFrom(io.NewSectionReader(fh, 0, min(f.size, maxTagBytes)))
	if err != nil {
		return Tags{}
	}
	return t
}

// readTagsFrom parses tags with the tag library, whatever their kind.
func readTagsFrom(r io.ReadSeeker) (t Tags, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable tags: %v", p)
		}
	}()
	m, err := tag.ReadFrom(r)
	if errors.Is(err, tag.ErrNoTagsFound) {
		return Tags{}, nil
	} else if err != nil {
		return Tags{}, fmt.Errorf("unreadable tags: %w", err)
	}
	return tagsOf(m), nil
}

// cleanEncodes deletes the encodes of WAV and AIFF files that are gone
// or changed: no file in any watched folder has their content now.
func (e *Engine) cleanEncodes(ctx context.Context) error {
	gone, err := e.cache.OrphanEncodes(ctx)
	if err != nil {
		return err
	}
	for _, m := range gone {
		if err := os.Remove(m.Encoded); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := e.cache.ForgetMaster(ctx, m.SHA256); err != nil {
			return err
		}
	}
	return nil
}

// masterJob points a lossless track's upload at what is uploaded: the
// FLAC itself, or the encode of a WAV or AIFF (made again if it went
// missing from the cache's folder before it was uploaded). ok false: the
// file cannot sync now, as recorded in st.
func (e *Engine) masterJob(ctx context.Context, root cache.Root, f localFile, rec *cache.File, tags *Tags, st *prepared, job *blobJob) (bool, error) {
	if info := tags.Master; info != nil {
		job.sha, job.size, job.warning = info.Upload, info.UploadSize, info.warning()
		if info.Upload == rec.SHA256 || !e.needsWork(ctx, st, f.rel, rec, info.Upload) {
			return true, nil
		}
	}
	m, p, err := e.master(ctx, f, rec.SHA256)
	switch {
	case errors.Is(err, errChanged) || errors.Is(err, os.ErrNotExist):
		return false, e.waiting(ctx, root, f, st, &Problem{Kind: KindChanged, Detail: "changed while being read"})
	case err != nil:
		return false, err
	case p != nil:
		return false, e.fileError(ctx, root, f, st, p)
	}
	if tags.Master == nil { // a record made before its audio was checked
		tags.Master = masterInfo(m)
		rec.Tags = tagsJSON(*tags)
		if err := e.cache.PutFile(ctx, *rec); err != nil {
			return false, err
		}
	}
	job.sha, job.size, job.warning = m.UploadSHA, m.UploadSize, tags.Master.warning()
	if m.Encoded != "" {
		job.abs, job.source = m.Encoded, rec.SHA256
		job.name = strings.TrimSuffix(f.rel, path.Ext(f.rel)) + ".flac"
	}
	return true, nil
}
