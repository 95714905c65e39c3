// Package receipt signs and verifies purchase receipts: JWS compact
// serializations (RFC 7515) signed with Ed25519 (alg EdDSA, RFC 8037), so any
// JOSE library can check them against the platform's published JWKS, and a
// fan can prove ownership even if the platform is gone.
package receipt

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Payload is what a receipt states.
type Payload struct {
	Issuer        string  `json:"iss"`
	IssuedAt      int64   `json:"iat"`
	PurchaseID    int64   `json:"purchase_id"`
	FanID         int64   `json:"fan_id"`
	FanName       string  `json:"fan_name"`
	ReleaseID     int64   `json:"release_id"`
	ReleaseTitle  string  `json:"release_title"`
	ArtistID      int64   `json:"artist_id"`
	ArtistName    string  `json:"artist_name"`
	Tracks        []Track `json:"tracks"`
	GrossCents    int64   `json:"gross_cents"`
	CreatorCents  int64   `json:"creator_cents"`
	PlatformCents int64   `json:"platform_cents"`
	RateBps       int64   `json:"rate_bps"`
	Currency      string  `json:"currency"`
	Split         string  `json:"split"` // the split in words
	PurchasedAt   string  `json:"purchased_at"`
}

// Track names one owned file by its content hash.
type Track struct {
	Position int    `json:"position"`
	Title    string `json:"title"`
	SHA256   string `json:"sha256"`
}

// Issuer is the iss claim of Megabox receipts.
const Issuer = "megabox"

// Key is a signing key pair with its id.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// NewKey makes a random signing key with an id derived from its public key.
func NewKey() (Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: "mbx-" + hex.EncodeToString(pub[:8]), Private: priv}, nil
}

// Public returns the key's public half.
func (k Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

var b64 = base64.RawURLEncoding.Strict()

type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ,omitempty"`
}

// Sign returns the compact JWS of p.
func Sign(k Key, p Payload) (string, error) {
	h, err := json.Marshal(header{Alg: "EdDSA", Kid: k.ID, Typ: "megabox-receipt+jwt"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(body)
	sig := ed25519.Sign(k.Private, []byte(signing))
	return signing + "." + b64.EncodeToString(sig), nil
}

// ErrInvalid is returned for any receipt that does not verify.
var ErrInvalid = errors.New("receipt does not verify")

// MaxLen bounds what Verify will parse.
const MaxLen = 64 << 10

// Verify checks a receipt's signature against keys and returns its payload.
// Any altered byte, an unknown key id or another algorithm fails.
func Verify(token string, keys KeySet) (*Payload, error) {
	if len(token) > MaxLen {
		return nil, fmt.Errorf("%w: too long", ErrInvalid)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a compact JWS", ErrInvalid)
	}
	hb, err1 := b64.DecodeString(parts[0])
	body, err2 := b64.DecodeString(parts[1])
	sig, err3 := b64.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("%w: bad encoding", ErrInvalid)
	}
	var h header
	if err := strictUnmarshal(hb, &h); err != nil || h.Alg != "EdDSA" {
		return nil, fmt.Errorf("%w: header must name alg EdDSA", ErrInvalid)
	}
	pub, ok := keys.find(h.Kid)
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %q", ErrInvalid, h.Kid)
	}
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	var p Payload
	if err := strictUnmarshal(body, &p); err != nil || p.Issuer != Issuer {
		return nil, fmt.Errorf("%w: bad payload", ErrInvalid)
	}
	return &p, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// PurchasedTime parses PurchasedAt.
func (p *Payload) PurchasedTime() (time.Time, error) { return time.Parse(time.RFC3339, p.PurchasedAt) }
