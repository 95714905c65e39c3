package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/megabox-fm/megabox/backend/api"
)

// Problem is an RFC 9457 problem document with our stable code.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

// statusChecksumMismatch is tus's status for a body that fails its checksum.
const statusChecksumMismatch = 460

var codeStatus = map[string]int{
	api.EINVALID:      http.StatusBadRequest,
	api.EUNAUTHORIZED: http.StatusUnauthorized,
	api.EFORBIDDEN:    http.StatusForbidden,
	api.ENOTFOUND:     http.StatusNotFound,
	api.ECONFLICT:     http.StatusConflict,
	api.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	api.EQUOTA:        http.StatusRequestEntityTooLarge,
	api.ECHECKSUM:     statusChecksumMismatch,
	api.ERATELIMIT:    http.StatusTooManyRequests,
	api.EUNSUPPORTED:  http.StatusUnprocessableEntity,
	api.EPAYMENT:      http.StatusPaymentRequired,
	api.EIDEMPOTENCY:  http.StatusUnprocessableEntity,
	api.EINTERNAL:     http.StatusInternalServerError,
	api.EUNAVAILABLE:  http.StatusServiceUnavailable,
	api.EBUSY:         http.StatusServiceUnavailable,
	api.ECODEUSED:     http.StatusConflict,
	api.ECODEEXPIRED:  http.StatusGone,
	api.ECODEREVOKED:  http.StatusGone,
	api.ECODERELEASE:  http.StatusConflict,
}

// ErrorStatus maps an error code to its HTTP status. It and ErrorCodeOf
// are the only places the mapping lives.
func ErrorStatus(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorCodeOf maps an HTTP status back to a code, for responses that carry
// no problem document (a proxy's error page, say).
func ErrorCodeOf(status int) string {
	switch {
	case status == http.StatusNotFound:
		return api.ENOTFOUND
	case status == http.StatusUnauthorized:
		return api.EUNAUTHORIZED
	case status == http.StatusRequestEntityTooLarge:
		return api.ETOOLARGE
	case status == http.StatusTooManyRequests:
		return api.ERATELIMIT
	case status == http.StatusConflict:
		return api.ECONFLICT
	case status == http.StatusGone:
		return api.ECODEEXPIRED
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return api.EUNAVAILABLE
	case status >= 500:
		return api.EINTERNAL
	}
	for code, s := range codeStatus {
		if s == status && code != api.EQUOTA {
			return code
		}
	}
	return api.EINVALID
}

func problemFor(err error) Problem {
	code := api.ErrorCode(err)
	status := ErrorStatus(code)
	return Problem{
		Type:   "https://megabox.fm/problems/" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: api.ErrorMessage(err),
		Code:   code,
		Field:  api.ErrorField(err),
	}
}

// writeError answers with a problem document; internal errors are logged
// and never shown.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemFor(err)
	if p.Code == api.EINTERNAL {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Code == api.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="megabox"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	// The status line is sent: a client gone by now has nothing left to read.
	_ = json.NewEncoder(w).Encode(p)
}

// decodeProblem turns an error response into an *api.Error.
func decodeProblem(resp *http.Response) error {
	var p Problem
	body := http.MaxBytesReader(nil, resp.Body, 64<<10)
	if err := json.NewDecoder(body).Decode(&p); err != nil || p.Code == "" {
		return &api.Error{Code: ErrorCodeOf(resp.StatusCode), Message: resp.Status}
	}
	return &api.Error{Code: p.Code, Message: p.Detail, Field: p.Field}
}

var errTooLarge = api.Errorf(api.ETOOLARGE, "request body too large")

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
