// Package pgtest gives a test a PostgreSQL database of its own.
//
// MEGABOX_TEST_POSTGRES names a server where tests may create and drop
// databases (scripts/services.sh sets it). Without it a test is skipped,
// unless MEGABOX_REQUIRE_SERVICES=1, where it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// NewDatabase creates an empty database for the test, returns its URL,
// and drops it (closing whatever is still connected) when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := ServerURL(tb)
	name := "megabox_test_" + randomHex(tb)
	admin(tb, server, "CREATE DATABASE "+name)
	tb.Cleanup(func() { admin(tb, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("MEGABOX_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// ServerURL returns MEGABOX_TEST_POSTGRES, skipping (or failing, when
// services are required) without it.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	s := os.Getenv("MEGABOX_TEST_POSTGRES")
	if s != "" {
		return s
	}
	if os.Getenv("MEGABOX_REQUIRE_SERVICES") == "1" {
		tb.Fatal("MEGABOX_TEST_POSTGRES is not set and MEGABOX_REQUIRE_SERVICES=1: run the tests through scripts/services.sh")
	}
	tb.Skip("MEGABOX_TEST_POSTGRES is not set: no PostgreSQL to test against")
	return ""
}

// admin runs one statement on the server's own database.
func admin(tb testing.TB, server, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("connect to MEGABOX_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

func randomHex(tb testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}
