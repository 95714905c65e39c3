package app

import (
	"net"
	"testing"
)

// The local platform answers at the same address after a restart, and
// moves (saying where it was) only when that port is taken.
func TestLocalPlatformKeepsItsAddress(t *testing.T) {
	dir := t.TempDir()
	l, previous, err := listenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	first := l.Addr().String()
	l.Close()
	if previous != "" {
		t.Fatalf("first start: previous = %q, want none", previous)
	}

	l, previous, err = listenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Addr().String(); got != first || previous != "" {
		t.Fatalf("restart: listening on %s (previous %q), want %s", got, previous, first)
	}

	// l still holds the port, as another program might.
	moved, previous, err := listenLocal(dir)
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	second := moved.Addr().String()
	moved.Close()
	if second == first || previous != first {
		t.Fatalf("port taken: listening on %s (previous %q), want a new port and previous %s", second, previous, first)
	}
	if host, _, _ := net.SplitHostPort(second); host != "127.0.0.1" {
		t.Fatalf("listening on %s, want loopback", second)
	}

	again, previous, err := listenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.Addr().String(); got != second || previous != "" {
		t.Fatalf("after moving: listening on %s (previous %q), want %s kept", got, previous, second)
	}
}
