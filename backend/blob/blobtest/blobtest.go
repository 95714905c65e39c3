// Package blobtest is the conformance suite every blob.Bucket must pass.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/blob"
)

// Run runs the suite against buckets made by open; each subtest gets a
// fresh, empty bucket. staging returns a directory PutFile accepts files from.
func Run(t *testing.T, open func(t *testing.T) (b blob.Bucket, staging string)) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("megabox "), 100_000)
	sum := digest(data)

	t.Run("PutOpenRoundTrip", func(t *testing.T) {
		b, _ := open(t)
		n, err := b.Put(ctx, sum, bytes.NewReader(data))
		if err != nil || n != int64(len(data)) {
			t.Fatalf("Put = %d, %v; want %d, nil", n, err, len(data))
		}
		got := readAll(t, b, sum)
		if !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes that differ from the %d written", len(got), len(data))
		}
		if size, err := b.Stat(ctx, sum); err != nil || size != int64(len(data)) {
			t.Fatalf("Stat = %d, %v", size, err)
		}
	})
	t.Run("PutWrongHashStoresNothing", func(t *testing.T) {
		b, _ := open(t)
		wrong := digest([]byte("other"))
		_, err := b.Put(ctx, wrong, bytes.NewReader(data))
		if api.ErrorCode(err) != api.ECHECKSUM {
			t.Fatalf("Put with wrong digest: err = %v, want code %s", err, api.ECHECKSUM)
		}
		if _, err := b.Open(ctx, wrong); api.ErrorCode(err) != api.ENOTFOUND {
			t.Fatalf("Open after failed Put: err = %v, want not found", err)
		}
	})
	t.Run("InvalidNames", func(t *testing.T) {
		b, _ := open(t)
		for _, name := range []string{"", "../../etc/passwd", "ABCDEF" + sum[6:], sum + "/x", sum[:63], "..%2f" + sum[5:]} {
			if _, err := b.Put(ctx, name, bytes.NewReader(nil)); api.ErrorCode(err) != api.EINVALID {
				t.Errorf("Put(%q): err = %v, want invalid", name, err)
			}
			if _, err := b.Open(ctx, name); api.ErrorCode(err) != api.EINVALID {
				t.Errorf("Open(%q): err = %v, want invalid", name, err)
			}
		}
	})
	t.Run("SeekAndRange", func(t *testing.T) {
		b, _ := open(t)
		if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		o, err := b.Open(ctx, sum)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if o.Size() != int64(len(data)) {
			t.Fatalf("Size = %d, want %d", o.Size(), len(data))
		}
		if _, err := o.Seek(123_457, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1000)
		if _, err := io.ReadFull(o, buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, data[123_457:124_457]) {
			t.Fatal("bytes read after Seek differ from the original range")
		}
	})
	t.Run("PutFileConsumesVerifiedFile", func(t *testing.T) {
		b, staging := open(t)
		p := filepath.Join(staging, "staged")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := b.PutFile(ctx, digest([]byte("x")), p); api.ErrorCode(err) != api.ECHECKSUM {
			t.Fatalf("PutFile with wrong digest: %v, want checksum error", err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("a rejected file must stay in place: %v", err)
		}
		if n, err := b.PutFile(ctx, sum, p); err != nil || n != int64(len(data)) {
			t.Fatalf("PutFile = %d, %v", n, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("staged file still present after PutFile: %v", err)
		}
		if !bytes.Equal(readAll(t, b, sum), data) {
			t.Fatal("blob content differs from the staged file")
		}
	})
	t.Run("AdoptFileMovesWithoutVerifying", func(t *testing.T) {
		b, staging := open(t)
		p := filepath.Join(staging, "adopted")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if n, err := b.AdoptFile(ctx, sum, p); err != nil || n != int64(len(data)) {
			t.Fatalf("AdoptFile = %d, %v", n, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("adopted file still staged: %v", err)
		}
		if !bytes.Equal(readAll(t, b, sum), data) {
			t.Fatal("adopted blob differs")
		}
		if _, err := b.AdoptFile(ctx, "../"+sum[3:], p); api.ErrorCode(err) != api.EINVALID {
			t.Fatalf("AdoptFile with a bad name: %v", err)
		}
	})
	t.Run("ConcurrentPutsOfOneBlob", func(t *testing.T) {
		b, _ := open(t)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = b.Put(ctx, sum, bytes.NewReader(data))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("put %d: %v", i, err)
			}
		}
		if !bytes.Equal(readAll(t, b, sum), data) {
			t.Fatal("blob corrupted by concurrent puts")
		}
	})
	t.Run("DeleteIsIdempotent", func(t *testing.T) {
		b, _ := open(t)
		if _, err := b.Put(ctx, sum, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := b.Delete(ctx, sum); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		if _, err := b.Stat(ctx, sum); api.ErrorCode(err) != api.ENOTFOUND {
			t.Fatalf("Stat after Delete: %v, want not found", err)
		}
	})
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func readAll(t *testing.T, b blob.Bucket, sum string) []byte {
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
