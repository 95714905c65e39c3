package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// newestMigration is the highest migration number shipped with the
// embedded database.
func newestMigration(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "..", "store", "sqlite", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	newest := 0
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if n, err := strconv.Atoi(num); err == nil && n > newest {
			newest = n
		}
	}
	if newest == 0 {
		t.Fatal("no migrations found")
	}
	return newest
}

// TestMigrate: `megaboxd migrate` creates and migrates a database, says
// which version it reached, and a second run finds nothing to do.
func TestMigrate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := (&Main{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), append([]string{"migrate"}, args...))
		return out.String(), err
	}
	v := newestMigration(t)
	out, err := run("--data", dir)
	if want := fmt.Sprintf("database schema migrated from version 0 to %d\n", v); err != nil || out != want {
		t.Fatalf("first migrate: %q, %v; want %q", out, err, want)
	}
	t.Setenv("MEGABOX_DATA", dir)
	out, err = run()
	if want := fmt.Sprintf("database schema at version %d: nothing to migrate\n", v); err != nil || out != want {
		t.Fatalf("second migrate: %q, %v; want %q", out, err, want)
	}
	// The migrated database is the one the server then serves.
	if out, err := (func() (string, error) {
		var b bytes.Buffer
		err := (&Main{Stdout: &b, Stderr: io.Discard}).Run(context.Background(), []string{"admin", "--data", dir, "check"})
		return b.String(), err
	})(); err != nil || !strings.Contains(out, "database: ok") {
		t.Fatalf("check after migrate: %q, %v", out, err)
	}
	if _, err := run("--data", dir, "extra"); err == nil {
		t.Fatal("migrate accepted an extra argument")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsAddr: with --metrics-addr, metrics are served there and not
// on the API address; without it, nowhere.
func TestMetricsAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready, metricsReady := make(chan string, 1), make(chan string, 1)
	done := make(chan error, 1)
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Ready: ready, MetricsReady: metricsReady}
	go func() {
		done <- m.Run(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	maddr, addr := <-metricsReady, <-ready
	for range 3 {
		if status, _ := get(t, "http://"+addr+"/healthz"); status != 200 {
			t.Fatalf("healthz: %d", status)
		}
	}
	status, body := get(t, "http://"+maddr+"/metrics")
	want := `megabox_http_request_duration_seconds_count{code="2xx",method="GET",route="GET /healthz"} 3`
	if status != 200 || !strings.Contains(body, want) {
		t.Fatalf("metrics: %d, want 200 with %q in:\n%s", status, want, body)
	}
	if status, _ := get(t, "http://"+addr+"/metrics"); status != 404 {
		t.Errorf("metrics on the API address: %d, want 404", status)
	}
	if status, _ := get(t, "http://"+addr+"/readyz"); status != 200 {
		t.Errorf("readyz: %d, want 200", status)
	}
	if err := (&Main{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(),
		[]string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--metrics-addr", "nonsense"}); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("bad --metrics-addr: %v, want an error naming the flag", err)
	}
}
