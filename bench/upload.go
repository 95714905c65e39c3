package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/internal/testmedia"
)

const uploadSize = 200 << 20

// benchUpload: one 200 MB file through tus to megaboxd against one PUT to
// the raw server (body → sha256 → fsync'd file).
func benchUpload(dir string, runs int, rep *Report) error {
	work := filepath.Join(dir, "upload")
	defer os.RemoveAll(work)
	src := filepath.Join(work, "upload.bin")
	os.MkdirAll(work, 0o755)
	sum, err := writeMP3File(src, uploadSize)
	if err != nil {
		return err
	}
	mb := func(d time.Duration) float64 { return uploadSize / 1e6 / d.Seconds() }
	row := Row{Name: "upload of one 200 MB file over loopback (tus, verified, fsync'd)", Unit: "MB/s", Digits: 0,
		Ours:   Measure{Short: "Megabox"},
		Base:   &Measure{Short: "raw", Label: "one raw PUT"},
		Target: "≥ 0.70× raw",
		Note:   "The Go client's tus upload (16 MiB PATCHes, sent with sendfile) to megaboxd (its own process) against one PUT to the raw server (its own process) that hashes the body into a file and fsyncs it.",
	}
	err = interleave(runs,
		contender{m: &row.Ours, run: func(int) (float64, error) {
			d, err := megaboxUpload(filepath.Join(work, "megaboxd"), src, sum)
			return mb(d), err
		}},
		contender{m: row.Base, run: func(int) (float64, error) {
			p, err := startRawServer(filepath.Join(work, "raw"), "")
			if err != nil {
				return 0, err
			}
			defer p.stopAndClean()
			syscall.Sync()
			d, err := rawPut(p, []string{src}, 1)
			return mb(d), err
		}},
	)
	if err != nil {
		return err
	}
	row.Met = row.ratio(row.Base) >= 0.7
	rep.Rows = append(rep.Rows, row)
	return nil
}

// writeMP3File writes size bytes of MP3 audio (the platform stores only
// media it can play) and returns their sha256.
func writeMP3File(path string, size int64) (string, error) {
	b := testmedia.SilentMP3(int(size))
	sum := sha256.Sum256(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// megaboxUpload uploads src through tus to a fresh megaboxd.
func megaboxUpload(data, src, sum string) (time.Duration, error) {
	ctx := context.Background()
	p, err := startMegaboxd(data, "")
	if err != nil {
		return 0, err
	}
	defer p.stopAndClean()
	c, err := signedIn(ctx, p.url, true)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	syscall.Sync()
	start := time.Now()
	if _, err := c.UploadFile(ctx, f, &mhttp.Upload{SHA256: sum, Size: uploadSize}); err != nil {
		return 0, err
	}
	d := time.Since(start)
	if ok, err := c.HasBlob(ctx, sum); !ok {
		return 0, fmt.Errorf("uploaded blob missing: %v", err)
	}
	return d, nil
}

func signedIn(ctx context.Context, url string, creator bool) (*mhttp.Client, error) {
	return signedInWith(ctx, url, creator, nil)
}

// signedInWith signs a new account up and in, over hc (nil: the default).
func signedInWith(ctx context.Context, url string, creator bool, hc *http.Client) (*mhttp.Client, error) {
	c, err := mhttp.NewClient(url, hc)
	if err != nil {
		return nil, err
	}
	email := fmt.Sprintf("bench%d@example.com", time.Now().UnixNano())
	if _, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: "bench password", DisplayName: "Bench", Creator: creator}); err != nil {
		return nil, err
	}
	_, err = c.CreateSession(ctx, api.Credentials{Email: email, Password: "bench password"})
	return c, err
}
