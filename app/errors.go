package app

import (
	"encoding/json"
	"errors"

	"github.com/megabox-fm/megabox/backend/api"
)

// uiError is how a bound method fails: the promise in the window rejects
// with this JSON, which the frontend bridge turns into a typed error.
func uiError(err error) error {
	if err == nil {
		return nil
	}
	b, _ := json.Marshal(map[string]string{"code": api.ErrorCode(err), "message": api.ErrorMessage(err), "field": api.ErrorField(err)})
	if api.ErrorCode(err) == api.EINTERNAL {
		b, _ = json.Marshal(map[string]string{"code": api.EINTERNAL, "message": err.Error()})
	}
	return errors.New(string(b))
}

// invalid is a bad argument from the window.
func invalid(field, msg string) error {
	return uiError(&api.Error{Code: api.EINVALID, Field: field, Message: msg})
}
