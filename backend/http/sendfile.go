package http

import (
	"io"
	"os"
	"syscall"
)

// A FileSource is an upload source backed by a file on disk that can lend
// the file itself: the request then goes out with sendfile(2), the kernel
// copying the bytes from the page cache to the socket instead of the
// client reading them in and writing them out again.
type FileSource interface {
	io.ReaderAt
	// DirectFile returns the file to send from, or nil when the bytes
	// must go through ReadAt (a bandwidth limit applies, say).
	DirectFile() *os.File
	// SentDirect is told how many bytes went out from the file directly.
	SentDirect(n int64)
}

// chunkBody carries bytes [offset, offset+n) of an upload's source in one
// request: from a file of its own, or through ReadAt.
type chunkBody struct {
	lender FileSource // set when file is
	file   *fileChunk
	offset int64
	count  *countingReader
}

func newChunkBody(src io.ReaderAt, offset, n int64) *chunkBody {
	b := &chunkBody{offset: offset}
	if fs, ok := src.(FileSource); ok {
		if f := fs.DirectFile(); f != nil {
			if b.file = openChunk(f, offset, n); b.file != nil {
				b.lender = fs
			}
		}
	}
	if b.file == nil {
		b.count = &countingReader{r: io.NewSectionReader(src, offset, n)}
	}
	return b
}

// body is what the request sends; the transport closes it.
func (b *chunkBody) body() io.ReadCloser {
	if b.file != nil {
		return b.file
	}
	return io.NopCloser(b.count)
}

// sourceFailed reports whether reading the local file failed: no retry
// over the network would mend that.
func (b *chunkBody) sourceFailed() bool { return b.count != nil && b.count.failed.Load() }

// sent returns how many bytes the transport took: confirmed when the
// server acknowledged them all, else as far as the file's offset moved
// (nothing is known once the transport has closed it).
func (b *chunkBody) sent(confirmed int64) int64 {
	if b.file == nil {
		return b.count.n.Load()
	}
	n := confirmed
	if n < 0 {
		n = 0
		if pos, err := b.file.f.Seek(0, io.SeekCurrent); err == nil {
			n = pos - b.offset
		}
	}
	b.lender.SentDirect(n)
	return n
}

// fileChunk is a range of a file, read through a description of its own
// so the transport may use and close it whenever it likes. It offers the
// file's SyscallConn, which is what lets the transport hand it to
// sendfile(2); sendfile moves the file's offset, so the offset, not a
// count of reads, says where the range stands.
type fileChunk struct {
	f   *os.File
	end int64
}

// openChunk opens f again positioned at offset, or returns nil.
func openChunk(f *os.File, offset, n int64) *fileChunk {
	own, err := reopen(f)
	if err != nil {
		return nil
	}
	if _, err := own.Seek(offset, io.SeekStart); err != nil {
		own.Close()
		return nil
	}
	return &fileChunk{f: own, end: offset + n}
}

func (c *fileChunk) Read(p []byte) (int, error) {
	pos, err := c.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if pos >= c.end {
		return 0, io.EOF
	}
	if int64(len(p)) > c.end-pos {
		p = p[:c.end-pos]
	}
	return c.f.Read(p)
}

func (c *fileChunk) Close() error { return c.f.Close() }

// SyscallConn implements syscall.Conn.
func (c *fileChunk) SyscallConn() (syscall.RawConn, error) { return c.f.SyscallConn() }
