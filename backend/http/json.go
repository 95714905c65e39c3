package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/megabox-fm/megabox/backend/api"
)

// MaxJSONBody bounds every JSON request body.
const MaxJSONBody = 1 << 20

// decodeJSON reads a JSON body into v, answering 413 before reading a body
// that declares itself too large.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > MaxJSONBody {
		return errTooLarge
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return api.Errorf(api.EINVALID, "request body must hold a single JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case isMaxBytes(err):
		return errTooLarge
	case errors.As(err, &syntax):
		return api.Errorf(api.EINVALID, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return api.FieldErrorf(typ.Field, "must be a JSON %s, not %s", typ.Type.Kind(), typ.Value)
	case errors.Is(err, io.EOF):
		return api.Errorf(api.EINVALID, "request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return api.Errorf(api.EINVALID, "request body ends in the middle of the JSON")
	}
	return api.Errorf(api.EINVALID, "unreadable JSON: %v", err)
}

// writeJSON answers with v as JSON. The body is encoded before the status
// line goes out, so the answer carries its length (a client reads to a
// known end instead of parsing chunks) and leaves in one write, and a value
// that cannot be encoded becomes a 500 instead of a cut-off 200.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(buf)
	buf.Reset()
	ctype := "application/json"
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		p := problemFor(api.Errorf(api.EINTERNAL, "internal error"))
		status, ctype = p.Status, "application/problem+json"
		_ = json.NewEncoder(buf).Encode(p) // a fixed problem document always encodes
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	// The status line is sent: a client gone by now has nothing left to read.
	_, _ = w.Write(buf.Bytes())
}

// jsonBuffers holds encoding buffers between responses; most answers are a
// few kilobytes, and a pooled buffer spares growing a new one each time.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledJSON: a buffer grown past this by a rare large answer is left to
// the collector rather than kept for every later small one.
const maxPooledJSON = 64 << 10

func putJSONBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledJSON {
		jsonBuffers.Put(b)
	}
}

// pathID parses a positive integer path parameter; anything else is a 404,
// as no object could have that id.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, api.Errorf(api.ENOTFOUND, "%s %q not found", name, r.PathValue(name))
	}
	return id, nil
}

func queryInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, api.FieldErrorf(name, "must be a non-negative integer")
	}
	return n, nil
}

func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, api.FieldErrorf(name, "must be an id")
	}
	return n, nil
}
