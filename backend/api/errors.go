package api

import (
	"errors"
	"fmt"
)

// Error codes are stable and machine-readable: they travel as the `code`
// field of problem+json responses and clients switch on them.
const (
	EINVALID      = "invalid"      // malformed input; Field names the culprit
	EUNAUTHORIZED = "unauthorized" // missing, bad or revoked credentials
	EFORBIDDEN    = "forbidden"    // signed in, but the action needs another role
	ENOTFOUND     = "not_found"    // no such object, or not visible to the caller
	ECONFLICT     = "conflict"     // the object's state forbids the action
	ETOOLARGE     = "too_large"    // body or upload over the size limit
	EQUOTA        = "quota"        // the account's storage quota is exhausted
	ECHECKSUM     = "checksum"     // uploaded bytes do not match the declared sha256
	ERATELIMIT    = "rate_limited" // too many attempts; retry later
	EUNSUPPORTED  = "unsupported"  // media type or format not accepted
	EPAYMENT      = "payment"      // the payment provider declined
	EIDEMPOTENCY  = "idempotency"  // an idempotency key reused for another request
	EINTERNAL     = "internal"     // our fault; details are logged, not returned
	EUNAVAILABLE  = "unavailable"  // the platform cannot be reached
	EBUSY         = "busy"         // the platform is at capacity; retry after a moment
)

// Error is an application error: a code, a message safe to show to a user
// and, for invalid input, the field at fault.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error for one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error; the
// text of internal errors is withheld.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the input field an error names, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
