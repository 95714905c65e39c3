package receipt_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/megabox-fm/megabox/backend/receipt"
)

func sample() receipt.Payload {
	return receipt.Payload{Issuer: receipt.Issuer, IssuedAt: 1764000000, PurchaseID: 42, FanID: 7, FanName: "Fan",
		ReleaseID: 3, ReleaseTitle: "Night Drive", ArtistID: 1, ArtistName: "Ann",
		Tracks:     []receipt.Track{{Position: 1, Title: "Intro", SHA256: strings.Repeat("ab", 32)}},
		GrossCents: 1000, CreatorCents: 900, PlatformCents: 100, RateBps: 1000, Currency: "EUR",
		Split: "9.00 EUR to the artist, 1.00 EUR to Megabox", PurchasedAt: "2026-11-24T10:00:00Z"}
}

func mustKey(t *testing.T) (receipt.Key, receipt.KeySet) {
	k, err := receipt.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k, receipt.KeySet{Keys: []receipt.JWK{receipt.PublicJWK(k.ID, k.Public())}}
}

func TestSignVerify(t *testing.T) {
	k, set := mustKey(t)
	tok, err := receipt.Sign(k, sample())
	if err != nil {
		t.Fatal(err)
	}
	p, err := receipt.Verify(tok, set)
	if err != nil {
		t.Fatal(err)
	}
	if p.PurchaseID != 42 || p.Tracks[0].SHA256 != strings.Repeat("ab", 32) || p.CreatorCents != 900 {
		t.Fatalf("payload = %+v", p)
	}
}

// TestEveryAlteredByteFails flips each byte of a receipt in turn.
func TestEveryAlteredByteFails(t *testing.T) {
	k, set := mustKey(t)
	tok, _ := receipt.Sign(k, sample())
	for i := range len(tok) {
		for _, delta := range []byte{1, 0x20} {
			b := []byte(tok)
			b[i] ^= delta
			if _, err := receipt.Verify(string(b), set); !errors.Is(err, receipt.ErrInvalid) {
				t.Fatalf("receipt with byte %d altered (^%#x) verified: %v", i, delta, err)
			}
		}
	}
	for _, bad := range []string{"", "a.b", tok + ".", tok[:len(tok)-2], strings.Repeat("a", receipt.MaxLen+1)} {
		if _, err := receipt.Verify(bad, set); err == nil {
			t.Errorf("Verify(%.20q…) accepted", bad)
		}
	}
}

func TestRotationAndUnknownKeys(t *testing.T) {
	old, oldSet := mustKey(t)
	cur, curSet := mustKey(t)
	both := receipt.KeySet{Keys: append(oldSet.Keys, curSet.Keys...)}
	t1, _ := receipt.Sign(old, sample())
	t2, _ := receipt.Sign(cur, sample())
	for _, tok := range []string{t1, t2} {
		if _, err := receipt.Verify(tok, both); err != nil {
			t.Errorf("rotated key set rejects a receipt: %v", err)
		}
	}
	if _, err := receipt.Verify(t1, curSet); err == nil {
		t.Error("receipt verified without its key")
	}
	// A key set entry under the right kid but a different key does not help a forger.
	forged := receipt.KeySet{Keys: []receipt.JWK{receipt.PublicJWK(old.ID, cur.Public())}}
	if _, err := receipt.Verify(t1, forged); err == nil {
		t.Error("receipt verified against another key with the same kid")
	}
}

// TestThirdPartyJOSE verifies our receipt with go-jose and our published
// JWKS, as any fan's tool could.
func TestThirdPartyJOSE(t *testing.T) {
	k, set := mustKey(t)
	tok, _ := receipt.Sign(k, sample())
	doc, _ := json.Marshal(set)
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &jwks); err != nil {
		t.Fatalf("go-jose cannot read our JWKS: %v", err)
	}
	sig, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	keys := jwks.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("go-jose found %d keys for kid %q", len(keys), sig.Signatures[0].Header.KeyID)
	}
	body, err := sig.Verify(keys[0])
	if err != nil {
		t.Fatalf("go-jose rejects our receipt: %v", err)
	}
	var p receipt.Payload
	json.Unmarshal(body, &p)
	if p.GrossCents != 1000 || p.Split == "" {
		t.Fatalf("go-jose payload = %+v", p)
	}
}
