package library

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSafeName(t *testing.T) {
	cases := map[string]string{
		"Night Drive":           "Night Drive",
		"../../etc/passwd":      "_.._etc_passwd",
		"..":                    "fallback",
		".":                     "fallback",
		"a/b\\c:d*e?f\"g<h>i|j": "a_b_c_d_e_f_g_h_i_j",
		"CON":                   "_CON",
		"nul.txt":               "_nul.txt",
		"COM1":                  "_COM1",
		"tab\there\x00nul":      "tabherenul",
		"  spaced.  ":           "spaced",
		"Björk – Jóga":          "Björk – Jóga",
		"東京事変":                  "東京事変",
		"e\u0301te":             "éte", // NFD becomes NFC
		"":                      "fallback",
		"\xff\xfe":              "fallback",
	}
	for in, want := range cases {
		if got := SafeName(in, "fallback"); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
	long := SafeName(strings.Repeat("é", 200), "x")
	if len(long) > maxName || !strings.HasPrefix(long, "éé") {
		t.Errorf("long name cut to %d bytes: %q", len(long), long)
	}
}

// TestTraversalCorpusStaysInside builds paths from hostile names and checks
// every one lands inside the library folder.
func TestTraversalCorpusStaysInside(t *testing.T) {
	root := t.TempDir()
	corpus := []string{"..", "../..", "../../../tmp/x", "..\\..\\windows", "%2e%2e%2f", "/etc/passwd", "C:\\Windows", "a\x00b",
		"\u2025", "..\u2215..", "e\u0301", "AUX", "...", " ", "~", "$HOME"}
	for _, a := range corpus {
		for _, b := range corpus {
			p := filepath.Join(root, SafeName(a, "Unknown Artist"), SafeName(b, "Untitled"), SafeName(a+b, "Track")+".mp3")
			if !within(root, p) {
				t.Fatalf("%q/%q escapes to %s", a, b, p)
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatalf("%q/%q: %v", a, b, err)
			}
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatalf("%q/%q: %v", a, b, err)
			}
		}
	}
	// Nothing was written next to the library.
	entries, _ := os.ReadDir(filepath.Dir(root))
	for _, e := range entries {
		if e.Name() != filepath.Base(root) && strings.Contains(e.Name(), "passwd") {
			t.Fatalf("wrote %s outside the library", e.Name())
		}
	}
}
