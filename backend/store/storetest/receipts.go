package storetest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// testReceiptKeys: the first key is made on first use; a rotation signs
// new receipts with the new key while every older receipt still verifies
// against the published set, which lists keys newest first, even keys
// made in the same millisecond.
func testReceiptKeys(t *testing.T, s Services) {
	ctx := context.Background()
	t0 := at(t, "2026-10-01T00:00:00Z")
	clk := setClock(s, t0)
	ann := signUp(t, s, "ann", true)
	fan := signUp(t, s, "fan", false)
	first := keyIDs(t, s)
	if len(first) != 1 {
		t.Fatalf("first key set %v, want one key", first)
	}
	p1 := buy(t, s, fan, release(t, s, ann, "Before", 500, "EUR", 1), 500)
	if kid := signedBy(t, p1.Receipt); kid != first[0] {
		t.Fatalf("receipt signed by %s, want %s", kid, first[0])
	}

	clk.set(t0.Add(time.Millisecond))
	second, err := s.Receipts.RotateReceiptKey(ctx)
	if err != nil || second == first[0] {
		t.Fatalf("rotate = %q, %v", second, err)
	}
	same(t, "keys after a rotation", keyIDs(t, s), []string{second, first[0]})
	p2 := buy(t, s, fan, release(t, s, ann, "After", 500, "EUR", 1), 500)
	if kid := signedBy(t, p2.Receipt); kid != second {
		t.Fatalf("receipt after rotation signed by %s, want %s", kid, second)
	}
	for _, p := range []*api.Purchase{p1, p2} {
		if got := verify(t, s, p.Receipt); got.PurchaseID != p.ID {
			t.Fatalf("receipt of purchase %d states purchase %d", p.ID, got.PurchaseID)
		}
	}
	// The old receipt needs the old key.
	ks, err := s.Receipts.ReceiptKeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receipt.Verify(p1.Receipt, receipt.KeySet{Keys: ks.Keys[:1]}); !errors.Is(err, receipt.ErrInvalid) {
		t.Fatalf("old receipt against the new key only: %v, want ErrInvalid", err)
	}
	for _, k := range ks.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || k.Alg != "EdDSA" || k.Use != "sig" || k.X == "" {
			t.Fatalf("published key %+v", k)
		}
	}

	// Two rotations in one millisecond: the later one is newest.
	third, err := s.Receipts.RotateReceiptKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fourth, err := s.Receipts.RotateReceiptKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "keys after rotations in one millisecond", keyIDs(t, s), []string{fourth, third, second, first[0]})
	if k, err := s.Store.ActiveReceiptKey(ctx); err != nil || k.ID != fourth {
		t.Fatalf("active key %q, %v; want %q", k.ID, err, fourth)
	}
	for _, p := range []*api.Purchase{p1, p2} {
		verify(t, s, p.Receipt)
	}
}

// keyIDs lists the published key ids in order.
func keyIDs(t *testing.T, s Services) []string {
	t.Helper()
	ks, err := s.Receipts.ReceiptKeySet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range ks.Keys {
		ids = append(ids, k.Kid)
	}
	return ids
}

// signedBy reads the key id from a receipt's header.
func signedBy(t *testing.T, jws string) string {
	t.Helper()
	head, _, _ := strings.Cut(jws, ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}

// testReceiptKeyFirstUseUnderConcurrency: requests that all find no
// signing key yet, at once, all get a key set that verifies what is
// signed meanwhile; none fails because another made the first key.
func testReceiptKeyFirstUseUnderConcurrency(t *testing.T, s Services) {
	ctx := context.Background()
	sets := make([]receipt.KeySet, 10)
	for i, err := range parallel(10, func(i int) (err error) {
		sets[i], err = s.Receipts.ReceiptKeySet(ctx)
		return err
	}) {
		if err != nil {
			t.Fatalf("key set %d on first use: %v", i, err)
		}
	}
	published := map[string]bool{}
	for _, kid := range keyIDs(t, s) {
		published[kid] = true
	}
	for i, ks := range sets {
		if len(ks.Keys) == 0 {
			t.Fatalf("key set %d is empty", i)
		}
		for _, k := range ks.Keys {
			if !published[k.Kid] {
				t.Fatalf("key %s seen by request %d is no longer published", k.Kid, i)
			}
		}
	}
	active, err := s.Store.ActiveReceiptKey(ctx)
	if err != nil || !published[active.ID] {
		t.Fatalf("active key %q, %v", active.ID, err)
	}
}
