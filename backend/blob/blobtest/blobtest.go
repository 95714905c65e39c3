// Package blobtest is the conformance suite every blob.Bucket must pass:
// named tests that assert bytes, digests and error codes, run against each
// implementation by its own package (go-cloud's drivertest shape).
//
//	func TestConformance(t *testing.T) {
//		blobtest.Run(t, func(t *testing.T) blob.Bucket { return mustOpen(t) })
//	}
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// Open returns a fresh, empty bucket for one test; the test's cleanup
// closes or removes it.
type Open func(t *testing.T) blob.Bucket

// Run runs every conformance test against buckets made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"PutAndOpen", testPutAndOpen},
		{"EmptyBlob", testEmptyBlob},
		{"AbsentIsNotFound", testAbsentIsNotFound},
		{"ChecksumMismatchStoresNothing", testChecksumMismatchStoresNothing},
		{"ChecksumMismatchKeepsExistingBlob", testChecksumMismatchKeepsExistingBlob},
		{"FailedReadStoresNothing", testFailedReadStoresNothing},
		{"CanceledPutStoresNothing", testCanceledPutStoresNothing},
		{"RangeReads", testRangeReads},
		{"InvalidNamesRejected", testInvalidNamesRejected},
		{"PutFileConsumesVerifiedFile", testPutFileConsumesVerifiedFile},
		{"PutFileOfStoredBlob", testPutFileOfStoredBlob},
		{"AdoptFileMovesWithoutVerifying", testAdoptFileMovesWithoutVerifying},
		{"DeleteAbsent", testDeleteAbsent},
		{"DeleteTwice", testDeleteTwice},
		{"LargeObject", testLargeObject},
		{"LargeObjectChecksumMismatch", testLargeObjectChecksumMismatch},
		{"ConcurrentPutSameBlob", testConcurrentPutSameBlob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Sizes: small fits one request anywhere; large spans several 8 MiB
// parts, the usual multipart part size, with a ragged last part.
const (
	smallSize = 800_000
	largeSize = 20<<20 + 12_345
	partSize  = 8 << 20
)

func testPutAndOpen(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 1)
	sum := Digest(data)
	n, err := b.Put(ctx, sum, bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %d, %v; want %d, nil", n, err, len(data))
	}
	o, err := b.Open(ctx, sum)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer o.Close()
	if o.Size() != int64(len(data)) {
		t.Fatalf("Size = %d, want %d", o.Size(), len(data))
	}
	got, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if Digest(got) != sum {
		t.Fatalf("read back %d bytes hashing to %s, want %d bytes hashing to %s", len(got), Digest(got), len(data), sum)
	}
	if size, err := b.Stat(ctx, sum); err != nil || size != int64(len(data)) {
		t.Fatalf("Stat = %d, %v; want %d, nil", size, err, len(data))
	}
}

func testEmptyBlob(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	sum := Digest(nil)
	if n, err := b.Put(ctx, sum, bytes.NewReader(nil)); err != nil || n != 0 {
		t.Fatalf("Put(empty) = %d, %v; want 0, nil", n, err)
	}
	if got := ReadAll(t, b, sum); len(got) != 0 {
		t.Fatalf("empty blob read back as %d bytes", len(got))
	}
	if size, err := b.Stat(ctx, sum); err != nil || size != 0 {
		t.Fatalf("Stat(empty) = %d, %v; want 0, nil", size, err)
	}
}

func testAbsentIsNotFound(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	sum := Digest([]byte("never stored"))
	if _, err := b.Open(ctx, sum); api.ErrorCode(err) != api.ENOTFOUND {
		t.Errorf("Open(absent): err = %v, want code %s", err, api.ENOTFOUND)
	}
	if _, err := b.Stat(ctx, sum); api.ErrorCode(err) != api.ENOTFOUND {
		t.Errorf("Stat(absent): err = %v, want code %s", err, api.ENOTFOUND)
	}
}

func testChecksumMismatchStoresNothing(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 2)
	wrong := Digest([]byte("other"))
	_, err := b.Put(ctx, wrong, bytes.NewReader(data))
	if api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("Put with a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	assertAbsent(t, b, wrong)
	assertAbsent(t, b, Digest(data)) // nor under the bytes' own name
}

// testChecksumMismatchKeepsExistingBlob: a bad upload for a name already
// stored must not replace or damage the good bytes.
func testChecksumMismatchKeepsExistingBlob(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 3)
	sum := Digest(data)
	if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	bad := Bytes(smallSize, 4)
	if _, err := b.Put(ctx, sum, bytes.NewReader(bad)); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("Put of other bytes under a stored name: err = %v, want code %s", err, api.ECHECKSUM)
	}
	if got := ReadAll(t, b, sum); Digest(got) != sum {
		t.Fatalf("stored blob now hashes to %s, want %s", Digest(got), sum)
	}
}

func testFailedReadStoresNothing(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 5)
	sum := Digest(data)
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(data[:smallSize/2]), errReader{boom})
	if _, err := b.Put(ctx, sum, r); !errors.Is(err, boom) {
		t.Fatalf("Put from a failing reader: err = %v, want it to wrap %v", err, boom)
	}
	assertAbsent(t, b, sum)
}

func testCanceledPutStoresNothing(t *testing.T, open Open) {
	b := open(t)
	data := Bytes(largeSize, 6)
	sum := Digest(data)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The context ends after the first part is read, before the rest.
	r := io.MultiReader(bytes.NewReader(data[:partSize+1]), cancelReader{cancel}, bytes.NewReader(data[partSize+1:]))
	if _, err := b.Put(ctx, sum, r); err == nil {
		t.Fatal("Put whose context ended midway succeeded")
	}
	assertAbsent(t, b, sum)
}

func testRangeReads(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 7)
	sum := Digest(data)
	if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	o, err := b.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	size := int64(len(data))
	steps := []struct {
		offset int64
		whence int
		want   int64 // absolute position
		n      int
	}{
		{123_457, io.SeekStart, 123_457, 1000},
		{0, io.SeekStart, 0, 512}, // a content sniff, then back
		{-100, io.SeekEnd, size - 100, 100},
		{-5000, io.SeekCurrent, size - 5000, 4000},
		{10, io.SeekCurrent, size - 990, 990},
		{1, io.SeekStart, 1, 64},
	}
	for _, s := range steps {
		pos, err := o.Seek(s.offset, s.whence)
		if err != nil || pos != s.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", s.offset, s.whence, pos, err, s.want)
		}
		buf := make([]byte, s.n)
		if _, err := io.ReadFull(o, buf); err != nil {
			t.Fatalf("read %d bytes at %d: %v", s.n, pos, err)
		}
		if !bytes.Equal(buf, data[pos:pos+int64(s.n)]) {
			t.Fatalf("bytes %d..%d differ from the original", pos, pos+int64(s.n))
		}
	}
	// Sequential reads continue where the last one stopped.
	buf := make([]byte, 100)
	if _, err := io.ReadFull(o, buf); err != nil || !bytes.Equal(buf, data[65:165]) {
		t.Fatalf("sequential read after a range: %v", err)
	}
	if pos, err := o.Seek(0, io.SeekEnd); err != nil || pos != size {
		t.Fatalf("Seek(0, end) = %d, %v; want %d", pos, err, size)
	}
	if n, err := o.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
	if _, err := o.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("Seek to a negative offset succeeded")
	}
}

func testInvalidNamesRejected(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	sum := Digest([]byte("x"))
	staged := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(staged, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	names := []string{"", "../../etc/passwd", "ABCDEF" + sum[6:], sum + "/x", sum[:63], sum + "0",
		"..%2f" + sum[5:], "tmp/" + sum[4:], "g" + sum[1:], " " + sum[1:]}
	for _, name := range names {
		check := func(op string, err error) {
			t.Helper()
			if api.ErrorCode(err) != api.EINVALID {
				t.Errorf("%s(%q): err = %v, want code %s", op, name, err, api.EINVALID)
			}
		}
		_, err := b.Put(ctx, name, bytes.NewReader([]byte("x")))
		check("Put", err)
		_, err = b.PutFile(ctx, name, staged)
		check("PutFile", err)
		_, err = b.AdoptFile(ctx, name, staged)
		check("AdoptFile", err)
		_, err = b.Open(ctx, name)
		check("Open", err)
		_, err = b.Stat(ctx, name)
		check("Stat", err)
		check("Delete", b.Delete(ctx, name))
	}
	if _, err := os.Stat(staged); err != nil {
		t.Fatalf("a file offered under an invalid name must stay in place: %v", err)
	}
}

func testPutFileConsumesVerifiedFile(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 8)
	sum := Digest(data)
	p := stage(t, data)
	if _, err := b.PutFile(ctx, Digest([]byte("x")), p); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("PutFile with a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("a rejected file must stay in place: %v", err)
	}
	if n, err := b.PutFile(ctx, sum, p); err != nil || n != int64(len(data)) {
		t.Fatalf("PutFile = %d, %v; want %d, nil", n, err, len(data))
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("staged file still present after PutFile: %v", err)
	}
	if got := ReadAll(t, b, sum); !bytes.Equal(got, data) {
		t.Fatal("blob content differs from the staged file")
	}
}

func testPutFileOfStoredBlob(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 9)
	sum := Digest(data)
	if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	p := stage(t, data)
	if n, err := b.PutFile(ctx, sum, p); err != nil || n != int64(len(data)) {
		t.Fatalf("PutFile of a stored blob = %d, %v; want %d, nil", n, err, len(data))
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("duplicate staged file still present: %v", err)
	}
	wrong := stage(t, Bytes(smallSize, 10))
	if _, err := b.PutFile(ctx, sum, wrong); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("PutFile of other bytes under a stored name: err = %v, want code %s", err, api.ECHECKSUM)
	}
	if _, err := os.Stat(wrong); err != nil {
		t.Fatalf("a rejected file must stay in place: %v", err)
	}
	if got := ReadAll(t, b, sum); !bytes.Equal(got, data) {
		t.Fatal("stored blob changed")
	}
}

func testAdoptFileMovesWithoutVerifying(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 11)
	sum := Digest(data)
	p := stage(t, data)
	if n, err := b.AdoptFile(ctx, sum, p); err != nil || n != int64(len(data)) {
		t.Fatalf("AdoptFile = %d, %v; want %d, nil", n, err, len(data))
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("adopted file still staged: %v", err)
	}
	if got := ReadAll(t, b, sum); !bytes.Equal(got, data) {
		t.Fatal("adopted blob differs")
	}
	again := stage(t, data)
	if n, err := b.AdoptFile(ctx, sum, again); err != nil || n != int64(len(data)) {
		t.Fatalf("AdoptFile of a stored blob = %d, %v; want %d, nil", n, err, len(data))
	}
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Fatalf("duplicate adopted file still staged: %v", err)
	}
}

func testDeleteAbsent(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	sum := Digest([]byte("never stored"))
	if err := b.Delete(ctx, sum); err != nil {
		t.Fatalf("Delete(absent) = %v, want nil", err)
	}
	assertAbsent(t, b, sum)
}

func testDeleteTwice(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	keep, gone := Bytes(1000, 12), Bytes(1000, 13)
	for _, d := range [][]byte{keep, gone} {
		if _, err := b.Put(ctx, Digest(d), bytes.NewReader(d)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := b.Delete(ctx, Digest(gone)); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	assertAbsent(t, b, Digest(gone))
	if got := ReadAll(t, b, Digest(keep)); !bytes.Equal(got, keep) {
		t.Fatal("Delete of one blob changed another")
	}
}

// testLargeObject stores a blob of several parts, through Put and through
// PutFile, and reads ranges that straddle the part boundaries.
func testLargeObject(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(largeSize, 14)
	sum := Digest(data)
	// A plain io.Reader: the bucket cannot learn the size up front.
	if n, err := b.Put(ctx, sum, struct{ io.Reader }{bytes.NewReader(data)}); err != nil || n != largeSize {
		t.Fatalf("Put = %d, %v; want %d, nil", n, err, largeSize)
	}
	if got := ReadAll(t, b, sum); Digest(got) != sum {
		t.Fatalf("read back %d bytes hashing to %s, want %s", len(got), Digest(got), sum)
	}
	o, err := b.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	for _, r := range [][2]int64{{partSize - 100, 200}, {2*partSize - 1, 2}, {largeSize - 7, 7}, {5, partSize + 10}} {
		if _, err := o.Seek(r[0], io.SeekStart); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, r[1])
		if _, err := io.ReadFull(o, buf); err != nil {
			t.Fatalf("read %d bytes at %d: %v", r[1], r[0], err)
		}
		if !bytes.Equal(buf, data[r[0]:r[0]+r[1]]) {
			t.Fatalf("bytes %d..%d differ from the original", r[0], r[0]+r[1])
		}
	}

	other := Bytes(largeSize, 15)
	p := stage(t, other)
	if n, err := b.PutFile(ctx, Digest(other), p); err != nil || n != largeSize {
		t.Fatalf("PutFile = %d, %v; want %d, nil", n, err, largeSize)
	}
	if got := ReadAll(t, b, Digest(other)); Digest(got) != Digest(other) {
		t.Fatal("large blob stored by PutFile differs")
	}
}

func testLargeObjectChecksumMismatch(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(largeSize, 16)
	wrong := Digest(Bytes(largeSize, 17))
	if _, err := b.Put(ctx, wrong, bytes.NewReader(data)); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("Put of a large blob with a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	assertAbsent(t, b, wrong)
	p := stage(t, data)
	if _, err := b.PutFile(ctx, wrong, p); api.ErrorCode(err) != api.ECHECKSUM {
		t.Fatalf("PutFile of a large blob with a wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
	}
	assertAbsent(t, b, wrong)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("a rejected file must stay in place: %v", err)
	}
}

func testConcurrentPutSameBlob(t *testing.T, open Open) {
	b, ctx := open(t), context.Background()
	data := Bytes(smallSize, 18)
	sum := Digest(data)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = b.Put(ctx, sum, bytes.NewReader(data))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("put %d: %v", i, err)
		}
	}
	if got := ReadAll(t, b, sum); !bytes.Equal(got, data) {
		t.Fatal("blob corrupted by concurrent puts")
	}
}

// Bytes returns n deterministic pseudo-random bytes for a seed.
func Bytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// Digest is the blob name of b.
func Digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ReadAll reads a whole blob.
func ReadAll(t testing.TB, b blob.Bucket, sum string) []byte {
	t.Helper()
	o, err := b.Open(context.Background(), sum)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer o.Close()
	got, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

func assertAbsent(t *testing.T, b blob.Bucket, sum string) {
	t.Helper()
	if _, err := b.Open(context.Background(), sum); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("Open(%s): err = %v, want code %s", sum[:8], err, api.ENOTFOUND)
	}
	if _, err := b.Stat(context.Background(), sum); api.ErrorCode(err) != api.ENOTFOUND {
		t.Fatalf("Stat(%s): err = %v, want code %s", sum[:8], err, api.ENOTFOUND)
	}
}

func stage(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "staged")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// cancelReader ends a context when the reader reaches it.
type cancelReader struct{ cancel context.CancelFunc }

func (r cancelReader) Read([]byte) (int, error) {
	r.cancel()
	return 0, io.EOF
}
