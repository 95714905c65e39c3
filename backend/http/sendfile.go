package http

import (
	"io"
	"os"
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
// request: from a file of its own, opened again so its offset is its own
// and the transport may close it whenever it is done, or through ReadAt.
type chunkBody struct {
	src    io.ReaderAt
	file   *os.File
	offset int64
	count  *countingReader
}

func newChunkBody(src io.ReaderAt, offset, n int64) *chunkBody {
	b := &chunkBody{src: src, offset: offset}
	if fs, ok := src.(FileSource); ok {
		if f := fs.DirectFile(); f != nil {
			b.file = ownFileFrom(f, offset, n)
		}
	}
	if b.file == nil {
		b.count = &countingReader{r: io.NewSectionReader(src, offset, n)}
	}
	return b
}

// ownFileFrom opens f again positioned at offset, if the n bytes from
// there are the rest of the file: the transport reads a body to its end
// to check its length, so only a file's last chunk can be the file.
func ownFileFrom(f *os.File, offset, n int64) *os.File {
	own, err := reopen(f)
	if err != nil {
		return nil
	}
	if fi, err := own.Stat(); err == nil && fi.Size() == offset+n {
		if _, err := own.Seek(offset, io.SeekStart); err == nil {
			return own
		}
	}
	own.Close()
	return nil
}

// body is what the request sends; the transport closes it.
func (b *chunkBody) body() io.ReadCloser {
	if b.file != nil {
		return b.file // an *os.File itself, or the transport cannot use sendfile
	}
	return io.NopCloser(b.count)
}

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
		if pos, err := b.file.Seek(0, io.SeekCurrent); err == nil {
			n = pos - b.offset
		}
	}
	b.src.(FileSource).SentDirect(n)
	return n
}
