//go:build !linux

package http

import (
	"errors"
	"os"
)

// reopen is only possible through Linux's /proc; elsewhere bytes go
// through ReadAt.
func reopen(*os.File) (*os.File, error) { return nil, errors.ErrUnsupported }
