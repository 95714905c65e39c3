package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
)

// RequestIDHeader carries a request's id: echoed on every response, and
// read from a request only when a trusted reverse proxy sent it, so the
// proxy's logs and ours name the same request.
const RequestIDHeader = "X-Request-Id"

// maxRequestID bounds an id taken from a proxy; nginx's $request_id is 32
// hex digits, a UUID 36 characters.
const maxRequestID = 64

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestID gives r its id: a trusted proxy's, when it sent a sane one,
// else a new random one. Anyone else's header is ignored, so a client
// cannot make its requests look like another's in the logs.
func (s *Server) withRequestID(r *http.Request) (*http.Request, string) {
	id := r.Header.Get(RequestIDHeader)
	if !saneRequestID(id) || !isTrusted(parseAddr(r.RemoteAddr), s.cfg.TrustedProxies) {
		id = newRequestID()
	}
	return r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)), id
}

// saneRequestID accepts the characters proxies use in ids (hex, UUIDs,
// base64url) and nothing that could break a log line.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits in hex, the shape of nginx's.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return hex.EncodeToString(b[:])
}

// LogRequestIDs wraps h so every record logged with a request's context
// carries the request's id as request_id.
func LogRequestIDs(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
