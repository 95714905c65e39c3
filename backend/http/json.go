package http

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// The status line is sent: a client gone by now has nothing left to read.
	_ = json.NewEncoder(w).Encode(v)
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
