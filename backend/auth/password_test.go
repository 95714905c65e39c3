package auth_test

import (
	"strings"
	"testing"

	"github.com/megabox-fm/megabox/backend/auth"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery", auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the OWASP parameters", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		got, err := auth.VerifyPassword(pw, h)
		if err != nil || got != want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, got, err, want)
		}
	}
	h2, _ := auth.HashPassword("correct horse battery", auth.DefaultParams)
	if h2 == h {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyRejectsMalformedHash(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=18$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=1,t=1,p=1$!!$a2V5"} {
		if ok, err := auth.VerifyPassword("x", h); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", h, ok, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, _ := auth.NewToken()
	b, _ := auth.NewToken()
	if a == b || len(a) < 43 {
		t.Fatalf("tokens %q %q: want distinct, ≥256 bits", a, b)
	}
	if string(auth.HashToken(a)) == a || len(auth.HashToken(a)) != 32 {
		t.Fatal("HashToken must return a 32-byte digest")
	}
}
