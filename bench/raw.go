package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// runRawServer is the baseline server: each PUT's body is hashed with
// SHA-256 and written to its own file, which is fsync'd before the answer.
// Nothing more: no accounts, no database, no resumable protocol.
func runRawServer(dir string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "PUT only", http.StatusMethodNotAllowed)
			return
		}
		sum, err := storeRaw(dir, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, sum)
	})}
	fmt.Printf("http://%s\n", l.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func storeRaw(dir string, body io.Reader) (string, error) {
	f, err := os.CreateTemp(dir, "raw-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), body); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

// rawPut sends each file in its own PUT, parallel at a time, and returns
// how long it took. It checks the server stored every byte.
func rawPut(p *proc, files []string, parallel int) (time.Duration, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: parallel, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	jobs := make(chan string)
	errs := make(chan error, parallel)
	var want int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return 0, err
		}
		want += st.Size()
	}
	start := time.Now()
	for range parallel {
		go func() {
			var first error
			for f := range jobs {
				if first == nil {
					first = putOne(hc, p.url, f)
				}
			}
			errs <- first
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	var err error
	for range parallel {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if got := dirBytes(p.data); got != want {
		return 0, fmt.Errorf("raw server stored %d bytes, sent %d", got, want)
	}
	return d, nil
}

func putOne(hc *http.Client, url, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, url+"/"+neturl.PathEscape(path), f)
	if err != nil {
		return err
	}
	req.ContentLength = st.Size()
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(b) != 64 {
		return fmt.Errorf("raw PUT: %s %s", resp.Status, b)
	}
	return nil
}

// dirBytes is the size of every regular file under dir.
func dirBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// treeFiles lists the regular files under dir, in walk order.
func treeFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
