package app

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/url"

	"github.com/megabox-fm/megabox/backend/api"
)

// offlineMessage is what the window shows when the platform cannot be
// reached; the network details go to the log, never to the user.
const offlineMessage = "Can't reach Megabox. Your library still plays offline."

// uiError is how a bound method fails: the promise in the window rejects
// with this JSON, which the frontend bridge turns into a typed error.
func uiError(err error) error {
	if err == nil {
		return nil
	}
	err = unreachable(err)
	b, _ := json.Marshal(map[string]string{"code": api.ErrorCode(err), "message": api.ErrorMessage(err), "field": api.ErrorField(err)})
	if api.ErrorCode(err) == api.EINTERNAL {
		// The window says "something went wrong" by the code; the detail
		// is for the log.
		slog.Error("internal error", "err", err)
		b, _ = json.Marshal(map[string]string{"code": api.EINTERNAL, "message": "internal error"})
	}
	return errors.New(string(b))
}

// unreachable types every failure to reach the platform as EUNAVAILABLE
// with a plain message, so the window can tell "offline" from a real
// error without reading Go's network errors.
func unreachable(err error) error {
	var netErr net.Error
	var urlErr *url.Error
	if api.ErrorCode(err) != api.EUNAVAILABLE && !errors.As(err, &netErr) && !errors.As(err, &urlErr) {
		return err
	}
	slog.Warn("platform unreachable", "err", err)
	return &api.Error{Code: api.EUNAVAILABLE, Message: offlineMessage}
}

// invalid is a bad argument from the window.
func invalid(field, msg string) error {
	return uiError(&api.Error{Code: api.EINVALID, Field: field, Message: msg})
}
