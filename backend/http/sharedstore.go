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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	tus "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/s3store"

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

// ObjectAdopter is a bucket that can take an object stored beside it.
type ObjectAdopter interface {
	AdoptObject(ctx context.Context, sha256, key string) (int64, error)
}

// uploadState is what an upload's state object holds.
type uploadState struct {
	MultipartID string `json:"multipart_id"`
	Offset      int64  `json:"offset"` // bytes the hash has seen
	Hash        []byte `json:"hash"`   // sha256 state, as MarshalBinary gives it
	Sniff       []byte `json:"sniff"`  // media.Sniffer state
	Broken      bool   `json:"broken"` // some bytes landed unhashed: finish reads them back
}

// sharedStore is the tus data store over SharedUploads.
type sharedStore struct {
	cfg   SharedUploads
	tus   s3store.S3Store
	locks *uploadLocker
	log   *slog.Logger
}

func newSharedStore(cfg SharedUploads, log *slog.Logger) *sharedStore {
	st := s3store.New(cfg.Bucket, cfg.Client)
	st.ObjectPrefix = cfg.Prefix + "uploads/"
	st.TemporaryDirectory = cfg.TempDir
	// Parts buffer on disk: 16 MiB parts, at most 4 waiting per request.
	st.PreferredPartSize = 16 << 20
	st.MaxBufferedParts = 4
	return &sharedStore{cfg: cfg, tus: st, locks: newUploadLocker(), log: log}
}

func (s *sharedStore) key(id string) string      { return s.cfg.Prefix + "uploads/" + id }
func (s *sharedStore) stateKey(id string) string { return s.key(id) + ".state" }

// NewUpload implements tus.DataStore: the upload keeps the id the creation
// hook gave it, and its multipart upload id goes in its state.
func (s *sharedStore) NewUpload(ctx context.Context, info tus.FileInfo) (tus.Upload, error) {
	if !uploadIDPattern.MatchString(info.ID) {
		return nil, errors.New("shared uploads: upload id not set")
	}
	id := info.ID
	u, err := s.tus.NewUpload(ctx, info)
	if err != nil {
		return nil, err
	}
	full, err := u.GetInfo(ctx)
	if err != nil {
		return nil, err
	}
	st, err := freshState(full.ID[len(id)+1:])
	if err != nil {
		return nil, err
	}
	if err := s.saveState(ctx, id, st); err != nil {
		return nil, err
	}
	return &sharedUpload{Upload: u, s: s, id: id}, nil
}

func freshState(multipartID string) (*uploadState, error) {
	st := &uploadState{MultipartID: multipartID}
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
	st, err := s.loadState(ctx, id)
	if err != nil {
		return nil, err
	}
	u, err := s.tus.GetUpload(ctx, id+"+"+st.MultipartID)
	if err != nil {
		return nil, err
	}
	return &sharedUpload{Upload: u, s: s, id: id}, nil
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
	st, err := s.loadState(ctx, id)
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
	out, err := s.cfg.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.key(id))})
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
	if _, err := s.cfg.Blobs.AdoptObject(ctx, sha, s.key(id)); err != nil {
		return err
	}
	s.deleteObjects(ctx, id)
	return nil
}

// drop deletes an upload: its multipart upload, its objects and its state.
func (s *sharedStore) drop(ctx context.Context, id string) {
	if !uploadIDPattern.MatchString(id) {
		return
	}
	if st, err := s.loadState(ctx, id); err == nil {
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
// client knows, not s3store's compound one.
type sharedUpload struct {
	tus.Upload
	s  *sharedStore
	id string
}

// GetInfo implements tus.Upload.
func (u *sharedUpload) GetInfo(ctx context.Context) (tus.FileInfo, error) {
	info, err := u.Upload.GetInfo(ctx)
	info.ID = u.id
	return info, err
}

// WriteChunk implements tus.Upload: bytes that continue the saved hash feed
// it, and the state is saved again once they are stored.
func (u *sharedUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	announceUpload(ctx, u.id)
	u.s.locks.reading(u.id)
	st, err := u.s.loadState(ctx, u.id)
	if err != nil {
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

// Terminate implements tus.TerminatableUpload.
func (u *sharedUpload) Terminate(ctx context.Context) error {
	err := u.s.tus.AsTerminatableUpload(u.Upload).Terminate(ctx)
	u.s.deleteObjects(ctx, u.id)
	return err
}
