package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	tus "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/s3store"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/media"
)

// SharedUploads keeps uploads in progress in an S3 bucket, through tus's
// s3store, so that any server behind one address can take the next chunk
// of an upload another began. Each upload's running sha256 and sniffer
// state is saved beside its parts after every chunk, so a finished upload
// is verified without reading its bytes back, whichever servers received
// them.
type SharedUploads struct {
	Client *s3.Client
	Bucket string
	// Prefix is prepended to every key; uploads live under Prefix+"uploads/".
	Prefix string
	// TempDir holds the parts s3store buffers on their way to S3.
	TempDir string
	// Blobs takes a finished upload's object as a blob: a copy inside
	// the S3 server, never through this one.
	Blobs ObjectAdopter
	// Locks hold an upload across servers; nil for one server alone.
	Locks SharedLocks
}

// ObjectAdopter is a bucket that can take an object stored beside it as a
// blob, or a whole verified file in one request.
type ObjectAdopter interface {
	AdoptObject(ctx context.Context, sha256, key string) (int64, error)
	PutOnce(ctx context.Context, sha256 string, body io.ReadSeeker, size int64) error
	Key(sha256 string) string
}

// maxDirect is the largest upload stored with one PUT when all of it
// comes in one request; a larger one, or one sent in pieces, goes through
// a multipart upload. The bytes of a direct upload are spooled on this
// server's disk until they are whole and verified, so a request cut short
// loses them: at most what the Go client sends in one request.
const maxDirect = DefaultChunkSize

// uploadState is what an upload's state object holds.
type uploadState struct {
	Info        tus.FileInfo `json:"info"`         // as created; the offset is Offset
	MultipartID string       `json:"multipart_id"` // "" until the first piece
	Direct      bool         `json:"direct"`       // stored whole at its blob's key by one PUT
	Offset      int64        `json:"offset"`       // bytes the hash has seen
	Hash        []byte       `json:"hash"`         // sha256 state, as MarshalBinary gives it
	Sniff       []byte       `json:"sniff"`        // media.Sniffer state
	Broken      bool         `json:"broken"`       // some bytes landed unhashed: finish reads them back
}

// sharedStore is the tus data store over SharedUploads.
type sharedStore struct {
	cfg   SharedUploads
	tus   s3store.S3Store
	locks *uploadLocker
	log   *slog.Logger

	mu sync.Mutex
	// held are whole uploads in the request that creates them: their
	// state lives here until they are stored, or saved if cut short.
	held map[string]*uploadState
}

func newSharedStore(cfg SharedUploads, log *slog.Logger) *sharedStore {
	st := s3store.New(cfg.Bucket, cfg.Client)
	st.ObjectPrefix = cfg.Prefix + "uploads/"
	st.TemporaryDirectory = cfg.TempDir
	// Parts buffer on disk: 16 MiB parts, at most 4 waiting per request.
	st.PreferredPartSize = 16 << 20
	st.MaxBufferedParts = 4
	// The running sha256 checks every byte end to end; per-part digests
	// would hash each part twice more on the way.
	st.DisableContentHashes = true
	return &sharedStore{cfg: cfg, tus: st, locks: newUploadLocker(), log: log, held: map[string]*uploadState{}}
}

func (s *sharedStore) key(id string) string      { return s.cfg.Prefix + "uploads/" + id }
func (s *sharedStore) stateKey(id string) string { return s.key(id) + ".state" }

// NewUpload implements tus.DataStore: the upload keeps the id the creation
// hook gave it. Where its bytes go is decided by its first request: all
// of a small file in one request goes straight to the blob's key, any
// other starts a multipart upload.
func (s *sharedStore) NewUpload(ctx context.Context, info tus.FileInfo) (tus.Upload, error) {
	if !uploadIDPattern.MatchString(info.ID) {
		return nil, errors.New("shared uploads: upload id not set")
	}
	st, err := freshState(info)
	if err != nil {
		return nil, err
	}
	if whole(ctx, info.Size) {
		s.mu.Lock()
		s.held[info.ID] = st
		s.mu.Unlock()
	} else if err := s.saveState(ctx, info.ID, st); err != nil {
		return nil, err
	}
	return &sharedUpload{s: s, id: info.ID, st: st}, nil
}

// whole reports whether the request carries all of an upload of size
// bytes that is small enough to be stored in one PUT.
func whole(ctx context.Context, size int64) bool {
	return size <= maxDirect && bodyLength(ctx) == size
}

// state returns an upload's state: held here, or saved in the bucket.
func (s *sharedStore) state(ctx context.Context, id string) (*uploadState, bool, error) {
	s.mu.Lock()
	st := s.held[id]
	s.mu.Unlock()
	if st != nil {
		return st, true, nil
	}
	st, err := s.loadState(ctx, id)
	return st, false, err
}

// letGo forgets a held upload: stored, dropped, or now saved.
func (s *sharedStore) letGo(id string) {
	s.mu.Lock()
	delete(s.held, id)
	s.mu.Unlock()
}

func freshState(info tus.FileInfo) (*uploadState, error) {
	info.Offset = 0
	st := &uploadState{Info: info}
	return st, st.keep(sha256.New(), media.NewSniffer(), 0)
}

// keep records the running hash and sniffer after offset bytes.
func (st *uploadState) keep(h hash.Hash, sniff *media.Sniffer, offset int64) error {
	var err error
	if st.Hash, err = h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
		return err
	}
	if st.Sniff, err = sniff.MarshalBinary(); err != nil {
		return err
	}
	st.Offset = offset
	return nil
}

// resume returns the running hash and sniffer the state holds.
func (st *uploadState) resume() (hash.Hash, *media.Sniffer, error) {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.Hash); err != nil {
		return nil, nil, err
	}
	sniff := media.NewSniffer()
	if err := sniff.UnmarshalBinary(st.Sniff); err != nil {
		return nil, nil, err
	}
	return h, sniff, nil
}

// GetUpload implements tus.DataStore.
func (s *sharedStore) GetUpload(ctx context.Context, id string) (tus.Upload, error) {
	if !uploadIDPattern.MatchString(id) {
		return nil, tus.ErrNotFound
	}
	st, _, err := s.state(ctx, id)
	if err != nil {
		return nil, err
	}
	u := &sharedUpload{s: s, id: id, st: st}
	if st.MultipartID != "" {
		if u.Upload, err = s.tus.GetUpload(ctx, id+"+"+st.MultipartID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// AsTerminatableUpload implements tus.TerminaterDataStore.
func (s *sharedStore) AsTerminatableUpload(u tus.Upload) tus.TerminatableUpload {
	return u.(*sharedUpload)
}

func (s *sharedStore) loadState(ctx context.Context, id string) (*uploadState, error) {
	out, err := s.cfg.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.stateKey(id))})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, tus.ErrNotFound
		}
		return nil, fmt.Errorf("upload state: %w", err)
	}
	defer out.Body.Close()
	var st uploadState
	if err := json.NewDecoder(io.LimitReader(out.Body, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("upload state: %w", err)
	}
	return &st, nil
}

func (s *sharedStore) saveState(ctx context.Context, id string, st *uploadState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.cfg.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.stateKey(id)),
		Body: bytes.NewReader(b), ContentLength: aws.Int64(int64(len(b)))})
	if err != nil {
		return fmt.Errorf("save upload state: %w", err)
	}
	return nil
}

// received returns the digest and sniffer of a finished upload if every
// byte of it passed through the running hash, on whichever server.
func (s *sharedStore) received(ctx context.Context, id string, size int64) (string, *media.Sniffer, bool) {
	st, _, err := s.state(ctx, id)
	if err != nil || st.Broken || st.Offset != size {
		return "", nil, false
	}
	h, sniff, err := st.resume()
	if err != nil {
		return "", nil, false
	}
	return hex.EncodeToString(h.Sum(nil)), sniff, true
}

// readBack hashes and identifies a finished upload by reading it once.
func (s *sharedStore) readBack(ctx context.Context, id string) (string, *media.Sniffer, error) {
	key := s.key(id)
	if st, _, err := s.state(ctx, id); err == nil && st.Direct {
		key = s.cfg.Blobs.Key(st.Info.MetaData["sha256"])
	}
	out, err := s.cfg.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return "", nil, fmt.Errorf("read finished upload: %w", err)
	}
	defer out.Body.Close()
	h, sniff := sha256.New(), media.NewSniffer()
	if _, err := io.CopyBuffer(io.MultiWriter(h, sniff), out.Body, make([]byte, 1<<20)); err != nil {
		return "", nil, fmt.Errorf("read finished upload: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), sniff, nil
}

// adopt makes a finished, verified upload the blob sha and deletes what
// is left of the upload.
func (s *sharedStore) adopt(ctx context.Context, id, sha string) error {
	st, held, err := s.state(ctx, id)
	if err != nil {
		return err
	}
	if held { // nothing of it was ever saved under uploads/
		s.letGo(id)
		return nil
	}
	if !st.Direct {
		if _, err := s.cfg.Blobs.AdoptObject(ctx, sha, s.key(id)); err != nil {
			return err
		}
	}
	s.deleteObjects(ctx, id)
	return nil
}

// drop deletes an upload: its multipart upload, its objects and its state.
func (s *sharedStore) drop(ctx context.Context, id string) {
	if !uploadIDPattern.MatchString(id) {
		return
	}
	if _, held, _ := s.state(ctx, id); held {
		s.letGo(id)
		return
	}
	if st, err := s.loadState(ctx, id); err == nil && st.MultipartID != "" {
		if u, err := s.tus.GetUpload(ctx, id+"+"+st.MultipartID); err == nil {
			if err := s.tus.AsTerminatableUpload(u).Terminate(ctx); err != nil {
				s.log.WarnContext(ctx, "terminate shared upload", "id", id, "err", err)
			}
		}
	}
	s.deleteObjects(ctx, id)
}

func (s *sharedStore) deleteObjects(ctx context.Context, id string) {
	var objs []types.ObjectIdentifier
	for _, k := range []string{s.key(id), s.key(id) + ".info", s.key(id) + ".part", s.stateKey(id)} {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k)})
	}
	_, err := s.cfg.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(s.cfg.Bucket),
		Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
	if err != nil {
		s.log.WarnContext(ctx, "delete upload objects", "id", id, "err", err)
	}
}

// sharedUpload is one upload in the shared store; it reports the id the
// client knows, not s3store's compound one. Upload is nil until a
// multipart upload holds its bytes.
type sharedUpload struct {
	tus.Upload
	s  *sharedStore
	id string
	st *uploadState // as loaded with the upload
}

// GetInfo implements tus.Upload.
func (u *sharedUpload) GetInfo(ctx context.Context) (tus.FileInfo, error) {
	if u.Upload == nil {
		info := u.st.Info
		info.Offset = u.st.Offset
		return info, nil
	}
	info, err := u.Upload.GetInfo(ctx)
	info.ID = u.id
	return info, err
}

// WriteChunk implements tus.Upload: bytes that continue the saved hash feed
// it, and the state is saved again once they are stored.
func (u *sharedUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	announceUpload(ctx, u.id)
	u.s.locks.reading(u.id)
	st, held, err := u.s.state(ctx, u.id)
	if err != nil {
		return 0, err
	}
	u.st = st
	if st.MultipartID == "" && offset == 0 && whole(ctx, st.Info.Size) {
		n, err := u.writeWhole(ctx, src, held)
		if err != nil && held {
			err = errors.Join(err, u.cutShort(ctx))
		}
		return n, err
	}
	if err := u.multipart(ctx); err != nil {
		return 0, err
	}
	if st.Broken || st.Offset != offset {
		st.Broken = true
		n, err := u.Upload.WriteChunk(ctx, offset, src)
		return n, errors.Join(err, u.s.saveState(context.WithoutCancel(ctx), u.id, st))
	}
	h, sniff, err := st.resume()
	if err != nil {
		return 0, err
	}
	fed := &countingWriter{w: io.MultiWriter(h, sniff)}
	n, err := u.Upload.WriteChunk(ctx, offset, io.TeeReader(src, fed))
	if fed.n != n {
		st.Broken = true
	} else if kerr := st.keep(h, sniff, offset+n); kerr != nil {
		st.Broken = true
	}
	// The bytes are in S3 whatever happened to the request: the state
	// must say so even if the client has gone.
	return n, errors.Join(err, u.s.saveState(context.WithoutCancel(ctx), u.id, st))
}

// multipart starts the upload's multipart upload on its first piece.
func (u *sharedUpload) multipart(ctx context.Context) error {
	if u.Upload != nil {
		return nil
	}
	if u.st.MultipartID != "" {
		up, err := u.s.tus.GetUpload(ctx, u.id+"+"+u.st.MultipartID)
		u.Upload = up
		return err
	}
	up, err := u.s.tus.NewUpload(ctx, u.st.Info)
	if err != nil {
		return err
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return err
	}
	u.Upload, u.st.MultipartID = up, info.ID[len(u.id)+1:]
	return u.s.saveState(ctx, u.id, u.st)
}

// writeWhole receives a whole file sent in one request: kept in memory
// (or spooled to disk when other requests hold the memory) through the
// hash and sniffer, then, if it is the file declared and something the
// platform takes, stored at its blob's key in one PUT. A request cut
// short stores nothing: the client sends it again.
func (u *sharedUpload) writeWhole(ctx context.Context, src io.Reader, held bool) (int64, error) {
	spool, release, err := newSpool(u.s.cfg.TempDir, u.st.Info.Size)
	if err != nil {
		return 0, err
	}
	defer release()
	h, sniff := sha256.New(), media.NewSniffer()
	n, err := io.Copy(spool, fullReads{io.TeeReader(src, io.MultiWriter(h, sniff))})
	if err != nil {
		return 0, err
	}
	if n != u.st.Info.Size {
		return 0, io.ErrUnexpectedEOF
	}
	sha := u.st.Info.MetaData["sha256"]
	if hex.EncodeToString(h.Sum(nil)) == sha && acceptable(sniff) {
		body, err := spool.body()
		if err != nil {
			return 0, err
		}
		if err := u.s.cfg.Blobs.PutOnce(ctx, sha, body, n); err != nil {
			return 0, err
		}
		u.st.Direct = true
	} // else nothing is stored, and finishing the upload says why
	if err := u.st.keep(h, sniff, n); err != nil {
		return 0, err
	}
	if held { // finishing, in this request, reads it here
		return n, nil
	}
	return n, u.s.saveState(context.WithoutCancel(ctx), u.id, u.st)
}

// wholeBuffers hold whole uploads in memory on their way to S3: at most
// wholeSlots of them at once (64 MiB); the others are spooled to disk.
var (
	wholeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, maxDirect); return &b }}
	wholeSlots   = make(chan struct{}, 4)
)

// spool keeps a whole upload's bytes until they are sent on.
type spool struct {
	buf  *[]byte
	file *os.File
}

func newSpool(dir string, size int64) (*spool, func(), error) {
	if size <= maxDirect {
		select {
		case wholeSlots <- struct{}{}:
			sp := &spool{buf: wholeBuffers.Get().(*[]byte)}
			*sp.buf = (*sp.buf)[:0]
			return sp, func() { wholeBuffers.Put(sp.buf); <-wholeSlots }, nil
		default:
		}
	}
	f, err := os.CreateTemp(dir, "whole-")
	if err != nil {
		return nil, nil, err
	}
	return &spool{file: f}, func() { f.Close(); os.Remove(f.Name()) }, nil
}

func (s *spool) Write(p []byte) (int, error) {
	if s.file != nil {
		return s.file.Write(p)
	}
	if len(*s.buf)+len(p) > cap(*s.buf) {
		return 0, errors.New("whole upload larger than declared")
	}
	*s.buf = append(*s.buf, p...)
	return len(p), nil
}

// body returns the spooled bytes from the start.
func (s *spool) body() (io.ReadSeeker, error) {
	if s.file != nil {
		_, err := s.file.Seek(0, io.SeekStart)
		return s.file, err
	}
	return bytes.NewReader(*s.buf), nil
}

// cutShort saves a held upload whose request ended before its bytes were
// stored, so that it can be resumed through any server, from the start
// (its record in the database was made when it began).
func (u *sharedUpload) cutShort(ctx context.Context) error {
	st, err := freshState(u.st.Info)
	if err != nil {
		return err
	}
	u.st = st
	err = u.s.saveState(context.WithoutCancel(ctx), u.id, st)
	u.s.letGo(u.id)
	return err
}

// acceptable reports whether the platform takes what sniff saw.
func acceptable(sniff *media.Sniffer) bool {
	info, err := sniff.Info()
	return err == nil && info.MediaType != api.MediaUnknown
}

// FinishUpload implements tus.Upload.
func (u *sharedUpload) FinishUpload(ctx context.Context) error {
	if u.Upload == nil {
		return nil // stored whole, or refused, by writeWhole
	}
	return u.Upload.FinishUpload(ctx)
}

// Terminate implements tus.TerminatableUpload.
func (u *sharedUpload) Terminate(ctx context.Context) error {
	var err error
	if u.Upload != nil {
		err = u.s.tus.AsTerminatableUpload(u.Upload).Terminate(ctx)
	}
	u.s.deleteObjects(ctx, u.id)
	return err
}

type bodyLengthKey struct{}

// withBodyLength lets the store know how long an upload request's body is.
func withBodyLength(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), bodyLengthKey{}, r.ContentLength))
}

func bodyLength(ctx context.Context) int64 {
	n, ok := ctx.Value(bodyLengthKey{}).(int64)
	if !ok {
		return -1
	}
	return n
}
