package receipt

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
)

// JWK is an Ed25519 public key as a JSON Web Key (RFC 8037).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// KeySet is a JWKS: the public keys receipts may be signed with.
type KeySet struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK describes a public key.
func PublicJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: kid, Use: "sig", Alg: "EdDSA"}
}

func (s KeySet) find(kid string) (ed25519.PublicKey, bool) {
	for _, k := range s.Keys {
		if k.Kid != kid || k.Kty != "OKP" || k.Crv != "Ed25519" {
			continue
		}
		pub, err := b64.DecodeString(k.X)
		if err == nil && len(pub) == ed25519.PublicKeySize {
			return pub, true
		}
	}
	return nil, false
}

// ParseKeySet reads a JWKS document.
func ParseKeySet(b []byte) (KeySet, error) {
	var s KeySet
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("parse key set: %w", err)
	}
	return s, nil
}
