package http

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// purchaseArchive serves one of the caller's purchases as a zip. The zip
// is laid out before a byte is sent (stored entries, sizes and checksums
// known), so it has a length, the same bytes every time, and Range: an
// interrupted download resumes. Its entries are read from the bucket as
// the response goes; nothing is copied.
func (s *Server) purchaseArchive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	format, in, err := queryFormat(r)
	if err != nil {
		return err
	}
	a, err := s.svc.Archives.PurchaseArchive(r.Context(), id)
	if err != nil {
		return err
	}
	if in {
		if a, err = s.archiveIn(w, r, id, a, format); a == nil {
			return err // nil after a 202
		}
	}
	z, err := s.layZip(r.Context(), a)
	if err != nil {
		return err
	}
	if in {
		sum, err := s.zipSHA256(r.Context(), z)
		if err != nil {
			return err
		}
		w.Header().Set("Megabox-Blob-Sha256", sum)
	}
	rs := &segmentReader{ctx: r.Context(), bucket: s.svc.Bucket, segs: z.segs, size: z.size}
	defer rs.Close()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	h.Set("ETag", `"`+z.etag+`"`)
	h.Set("Cache-Control", "private, max-age=0")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", a.ModTime, rs)
	return nil
}

// segment is a run of the zip: bytes of its own (headers, small files) or
// a stored blob.
type segment struct {
	off, size int64
	data      []byte
	sha       string
}

type zipLayout struct {
	segs []segment
	size int64
	etag string
}

// layoutWriter takes what archive/zip writes: its headers as bytes, and,
// while a blob's place is being written, only the blob's name.
type layoutWriter struct {
	segs []segment
	off  int64
	blob string // the blob whose place is being written, or ""
}

func (l *layoutWriter) Write(p []byte) (int, error) {
	n := int64(len(p))
	last := len(l.segs) - 1
	switch {
	case l.blob != "" && last >= 0 && l.segs[last].sha == l.blob && l.segs[last].off+l.segs[last].size == l.off:
		l.segs[last].size += n
	case l.blob != "":
		l.segs = append(l.segs, segment{off: l.off, size: n, sha: l.blob})
	case last >= 0 && l.segs[last].sha == "":
		l.segs[last].data = append(l.segs[last].data, p...)
		l.segs[last].size += n
	default:
		l.segs = append(l.segs, segment{off: l.off, size: n, data: append([]byte(nil), p...)})
	}
	l.off += n
	return len(p), nil
}

var zeros = make([]byte, 64<<10)

// msDosTime is t in the zip's legacy date and time fields, which
// archive/zip fills itself only for entries it writes (CreateHeader), not
// raw ones; unzip and most tools show those.
func msDosTime(t time.Time) (date, clock uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}

// layZip lays an archive out as a stored zip, through archive/zip.
func (s *Server) layZip(ctx context.Context, a *api.Archive) (*zipLayout, error) {
	l := &layoutWriter{}
	zw := zip.NewWriter(l)
	tag := sha256.New()
	for _, f := range a.Files {
		crc, err := s.fileCRC(ctx, f)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(tag, "%s\x00%s\x00%d\x00%08x\n", f.Name, f.SHA256, f.Size, crc)
		fh := &zip.FileHeader{Name: f.Name, Method: zip.Store, CRC32: crc,
			CompressedSize64: uint64(f.Size), UncompressedSize64: uint64(f.Size), Modified: a.ModTime.UTC()}
		fh.ModifiedDate, fh.ModifiedTime = msDosTime(a.ModTime.UTC()) //nolint:staticcheck // CreateRaw writes these as given, never from Modified
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return nil, err
		}
		if f.SHA256 == "" {
			if _, err := fw.Write(f.Data); err != nil {
				return nil, err
			}
			continue
		}
		// The blob's bytes come from the bucket when sent; here only its
		// length passes through archive/zip, which counts the offsets.
		// Flushes keep its buffered header and the blob's place apart.
		if err := zw.Flush(); err != nil {
			return nil, err
		}
		l.blob = f.SHA256
		for left := f.Size; left > 0; left -= int64(len(zeros)) {
			if _, err := fw.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
				return nil, err
			}
		}
		if err := zw.Flush(); err != nil {
			return nil, err
		}
		l.blob = ""
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(tag, "%d", a.ModTime.UnixMilli())
	return &zipLayout{segs: l.segs, size: l.off, etag: hex.EncodeToString(tag.Sum(nil)[:16])}, nil
}

// crcs remembers blobs' CRC-32s: blobs never change, and a zip's headers
// need them before its first byte.
var crcs = struct {
	sync.Mutex
	m map[string]uint32
}{m: map[string]uint32{}}

// crcSlots bound the blobs read whole at once to find their CRC-32.
var crcSlots = make(chan struct{}, 2)

// fileCRC is a file's CRC-32: its bytes', or its blob's, read once.
func (s *Server) fileCRC(ctx context.Context, f api.ArchiveFile) (uint32, error) {
	if f.SHA256 == "" {
		return crc32.ChecksumIEEE(f.Data), nil
	}
	crcs.Lock()
	c, ok := crcs.m[f.SHA256]
	crcs.Unlock()
	if ok {
		return c, nil
	}
	select {
	case crcSlots <- struct{}{}:
		defer func() { <-crcSlots }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	obj, err := s.svc.Bucket.Open(ctx, f.SHA256)
	if err != nil {
		return 0, err
	}
	defer obj.Close()
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, obj); err != nil {
		return 0, fmt.Errorf("read blob %s: %w", f.SHA256, err)
	}
	crcs.Lock()
	if len(crcs.m) >= 50_000 { // bounded: start again rather than grow
		clear(crcs.m)
	}
	crcs.m[f.SHA256] = h.Sum32()
	crcs.Unlock()
	return h.Sum32(), nil
}

// segmentReader reads a laid-out zip, opening each blob when its segment
// is reached.
type segmentReader struct {
	ctx    context.Context
	bucket blob.Bucket
	segs   []segment
	size   int64
	pos    int64
	open   blob.Object
	opened string
}

func (r *segmentReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	i := r.find(r.pos)
	sg := r.segs[i]
	within := r.pos - sg.off
	p = p[:min(int64(len(p)), sg.size-within)]
	var n int
	var err error
	if sg.sha == "" {
		n = copy(p, sg.data[within:])
	} else {
		n, err = r.readBlob(sg, within, p)
	}
	r.pos += int64(n)
	return n, err
}

func (r *segmentReader) readBlob(sg segment, within int64, p []byte) (int, error) {
	if r.opened != sg.sha {
		r.Close()
		obj, err := r.bucket.Open(r.ctx, sg.sha)
		if err != nil {
			return 0, err
		}
		r.open, r.opened = obj, sg.sha
	}
	if _, err := r.open.Seek(within, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(r.open, p)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return n, fmt.Errorf("blob %s is shorter than recorded", sg.sha)
	}
	return n, err
}

// find is the segment holding offset off.
func (r *segmentReader) find(off int64) int {
	lo, hi := 0, len(r.segs)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if r.segs[mid].off <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func (r *segmentReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start")
	}
	r.pos = offset
	return offset, nil
}

// Close closes the blob being read.
func (r *segmentReader) Close() error {
	if r.open == nil {
		return nil
	}
	err := r.open.Close()
	r.open, r.opened = nil, ""
	return err
}
