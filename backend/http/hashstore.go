package http

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	gosync "sync"

	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"

	"github.com/megabox-fm/megabox/backend/media"
)

// hashingStore is tus's file store that also hashes and identifies each
// upload as its bytes arrive (sha256, and media.Sniffer for what Probe
// would say), so a finished upload is verified and described without
// reading it back. The running state lives in memory: after a restart, or
// if chunks arrive out of order, the finish step falls back to reading
// the file. It also brings the uploads' locker, which must know when a
// request starts reading its body, and the quota held by uploads whose
// bytes come in the request that began them.
type hashingStore struct {
	filestore.FileStore
	locks    *uploadLocker
	reserved *reservations
	// partial is told when a request ends before an upload's last byte.
	partial func(ctx context.Context, id string)

	mu     gosync.Mutex
	hashes map[string]*runningHash
	held   map[string]*wholeFile // uploads whose info lives only here
}

type runningHash struct {
	h      hash.Hash
	sniff  *media.Sniffer
	offset int64
}

func newHashingStore(dir string, reserved *reservations) *hashingStore {
	return &hashingStore{FileStore: filestore.New(dir), locks: newUploadLocker(), reserved: reserved, hashes: map[string]*runningHash{}, held: map[string]*wholeFile{}}
}

func (s *hashingStore) useIn(c *tus.StoreComposer) {
	c.UseCore(s)
	c.UseTerminater(s)
	c.UseLocker(s.locks)
}

// NewUpload implements tus.DataStore.
func (s *hashingStore) NewUpload(ctx context.Context, info tus.FileInfo) (tus.Upload, error) {
	var u tus.Upload
	var err error
	_, whole := s.reserved.get(info.ID)
	if whole {
		var w *wholeFile
		if w, err = newWholeFile(s.Path, info); err == nil {
			u = w
			s.mu.Lock()
			s.held[info.ID] = w
			s.mu.Unlock()
		}
	} else {
		u, err = s.FileStore.NewUpload(ctx, info)
	}
	if err != nil {
		return nil, err
	}
	id := info.ID
	s.mu.Lock()
	s.hashes[id] = &runningHash{h: sha256.New(), sniff: media.NewSniffer()}
	s.mu.Unlock()
	return &hashingUpload{Upload: u, s: s, id: id}, nil
}

// GetUpload implements tus.DataStore.
func (s *hashingStore) GetUpload(ctx context.Context, id string) (tus.Upload, error) {
	s.mu.Lock()
	w := s.held[id]
	s.mu.Unlock()
	if w != nil {
		return &hashingUpload{Upload: w, s: s, id: id}, nil
	}
	u, err := s.FileStore.GetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	return &hashingUpload{Upload: u, s: s, id: id}, nil
}

// AsTerminatableUpload implements tus.TerminaterDataStore.
func (s *hashingStore) AsTerminatableUpload(u tus.Upload) tus.TerminatableUpload {
	h := u.(*hashingUpload)
	s.forget(h.id)
	if w, ok := h.Upload.(*wholeFile); ok {
		s.letGo(h.id)
		return w
	}
	return s.FileStore.AsTerminatableUpload(h.Upload)
}

// keepOnDisk writes the info file of a held upload whose request ended
// before its last byte, so it can be resumed like any other.
func (s *hashingStore) keepOnDisk(id string) error {
	s.mu.Lock()
	w := s.held[id]
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	err := w.persist()
	s.letGo(id)
	return err
}

// letGo forgets a held upload: stored, dropped, or now on disk.
func (s *hashingStore) letGo(id string) {
	s.mu.Lock()
	delete(s.held, id)
	s.mu.Unlock()
}

// received returns the hex sha256 of an upload's bytes and what they are,
// if every byte of it passed through the running hash.
func (s *hashingStore) received(id string, size int64) (string, *media.Sniffer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.hashes[id]
	if r == nil || r.offset != size {
		return "", nil, false
	}
	return hex.EncodeToString(r.h.Sum(nil)), r.sniff, true
}

// running reports whether this process is hashing an upload: one it
// created or wrote to and has not finished or dropped.
func (s *hashingStore) running(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.hashes[id]
	return ok
}

func (s *hashingStore) forget(id string) {
	s.mu.Lock()
	delete(s.hashes, id)
	s.mu.Unlock()
}

type hashingUpload struct {
	tus.Upload
	s  *hashingStore
	id string
}

// WriteChunk implements tus.Upload: bytes that continue the running hash
// feed it; anything else invalidates it.
func (u *hashingUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	announceUpload(ctx, u.id)
	u.s.locks.reading(u.id)
	n, fed, err := u.writeChunk(ctx, offset, src)
	info, ierr := u.Upload.GetInfo(ctx)
	if fed != nil {
		u.s.advance(u.id, offset, n, fed.n, ierr == nil && info.Offset == offset+n)
	}
	if ierr == nil && info.Offset < info.Size && u.s.partial != nil {
		if kerr := u.s.keepOnDisk(u.id); kerr != nil && err == nil {
			err = kerr
		}
		u.s.partial(ctx, u.id)
	}
	return n, err
}

// writeChunk writes the chunk, through the running hash when it continues
// it (fed then counts what the hash saw).
func (u *hashingUpload) writeChunk(ctx context.Context, offset int64, src io.Reader) (int64, *countingWriter, error) {
	u.s.mu.Lock()
	r := u.s.hashes[u.id]
	u.s.mu.Unlock()
	if r == nil || r.offset != offset {
		u.s.forget(u.id)
		n, err := u.Upload.WriteChunk(ctx, offset, src)
		return n, nil, err
	}
	fed := &countingWriter{w: io.MultiWriter(r.h, r.sniff)}
	n, err := u.Upload.WriteChunk(ctx, offset, fullReads{io.TeeReader(src, fed)})
	return n, fed, err
}

// advance moves an upload's running hash past a written chunk, or drops
// it: the hash must have seen exactly the bytes that landed on disk.
func (s *hashingStore) advance(id string, offset, written, hashed int64, onDisk bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.hashes[id]
	if r == nil {
		return
	}
	if !onDisk || hashed != written {
		delete(s.hashes, id)
		return
	}
	r.offset = offset + written
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// chunkBuffers hold a request body on its way to disk.
var chunkBuffers = gosync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// bufferSlots bounds how many bodies hold a chunk buffer at once (16 MiB in
// all): a slow sender keeps its buffer until it fills, so without a bound
// many trickling uploads would hold memory. A body that finds none free is
// copied in the socket's pieces instead.
var bufferSlots = make(chan struct{}, 64)

// fullReads hands its writer whole buffers. A body read off a socket comes
// in pieces of a few KiB; writing each piece to the staging file is a
// system call that takes the file system's locks, and the hash and sniffer
// cost less per byte on long runs.
type fullReads struct{ r io.Reader }

func (f fullReads) Read(p []byte) (int, error) { return f.r.Read(p) }

// WriteTo implements io.WriterTo, which io.Copy prefers.
func (f fullReads) WriteTo(w io.Writer) (int64, error) {
	select {
	case bufferSlots <- struct{}{}:
		defer func() { <-bufferSlots }()
	default:
		return io.Copy(w, struct{ io.Reader }{f.r})
	}
	bp := chunkBuffers.Get().(*[]byte)
	defer chunkBuffers.Put(bp)
	var total int64
	for {
		n, err := io.ReadFull(f.r, *bp)
		if n > 0 {
			m, werr := w.Write((*bp)[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
