package receipt_test

import (
	"testing"

	"github.com/megabox-fm/megabox/backend/receipt"
)

// FuzzVerify: no input verifies without the key's signature, nothing panics.
func FuzzVerify(f *testing.F) {
	k, _ := receipt.NewKey()
	set := receipt.KeySet{Keys: []receipt.JWK{receipt.PublicJWK(k.ID, k.Public())}}
	good, _ := receipt.Sign(k, sample())
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJtZWdhYm94In0.")
	f.Add("..")
	f.Add("a.b.c.d")
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := receipt.Verify(tok, set)
		if err == nil && tok != good {
			t.Fatalf("a token other than the signed one verified: %q → %+v", tok, p)
		}
	})
}
