package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/platform"
)

const uploadSize = 200 << 20

// benchUpload compares a tus upload of 200 MB to megaboxd with the least
// any server must do: read the raw HTTP body, hash it, write it to a file
// and fsync.
func benchUpload(dir string, runs int) ([]Result, error) {
	src := filepath.Join(dir, "upload.bin")
	sum, err := writeRandomFile(src, uploadSize)
	if err != nil {
		return nil, err
	}
	var base, ours []time.Duration
	for i := range runs {
		d, err := rawUpload(dir, src)
		if err != nil {
			return nil, err
		}
		base = append(base, d)
		d, err = megaboxUpload(filepath.Join(dir, fmt.Sprint("platform", i)), src, sum)
		if err != nil {
			return nil, err
		}
		ours = append(ours, d)
	}
	b, o := median(base), median(ours)
	ratio := b.Seconds() / o.Seconds()
	return []Result{{
		Name:     "upload 200 MB over loopback (tus, verified, fsync'd)",
		Value:    mbps(uploadSize, o),
		Baseline: mbps(uploadSize, b) + " raw body → sha256 → fsync'd file",
		Ratio:    ratio, Target: "≥ 0.70", Pass: ratio >= 0.7,
	}}, nil
}

func mbps(n int64, d time.Duration) string {
	return fmt.Sprintf("%.0f MB/s (%.2f s)", float64(n)/1e6/d.Seconds(), d.Seconds())
}

func writeRandomFile(path string, size int64) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, size); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Sync()
}

// rawUpload is the baseline: one POST, body hashed and fsync'd.
func rawUpload(dir, src string) (time.Duration, error) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.CreateTemp(dir, "raw-*")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer os.Remove(f.Name())
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(f, h), r.Body); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := f.Sync(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
	}))
	defer srv.Close()
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	resp, err := http.Post(srv.URL, "application/octet-stream", f)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), nil
}

// megaboxUpload uploads through tus to a real platform in dir.
func megaboxUpload(dir, src, sum string) (time.Duration, error) {
	ctx := context.Background()
	p, err := platform.Open(ctx, dir, platform.DefaultConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	defer p.Close()
	defer os.RemoveAll(dir)
	srv := httptest.NewServer(p.Handler)
	defer srv.Close()
	c, err := signedIn(ctx, srv.URL, true)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
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
	c, err := mhttp.NewClient(url, nil)
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
