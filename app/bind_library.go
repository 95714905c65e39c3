package app

import (
	"time"

	"github.com/megabox-fm/megabox/app/library"
)

// LibraryAPI is what the fan owns, on disk.
type LibraryAPI struct{ a *App }

// LibraryStatus says where the library is and whether it is online.
type LibraryStatus struct {
	Dir          string     `json:"dir"`
	OfflineSince *time.Time `json:"offline_since,omitempty"`
}

// Releases lists owned releases from local state only.
func (x *LibraryAPI) Releases() ([]library.Release, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.library.Releases(x.a.ctx)
	return r, uiError(err)
}

// Sync mirrors new purchases; offline is not an error here.
func (x *LibraryAPI) Sync() (*library.Report, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	rep, err := x.a.library.Sync(x.a.ctx)
	if err == library.ErrOffline {
		return &library.Report{}, nil
	}
	return rep, uiError(err)
}

// Check verifies every file and receipt offline.
func (x *LibraryAPI) Check() (*library.Report, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	r, err := x.a.library.Check(x.a.ctx)
	return r, uiError(err)
}

// Status reports the library folder and offline state.
func (x *LibraryAPI) Status() LibraryStatus {
	if !x.a.started() {
		return LibraryStatus{}
	}
	s := LibraryStatus{Dir: x.a.library.Dir()}
	if t := x.a.library.OfflineSince(x.a.ctx); !t.IsZero() {
		s.OfflineSince = &t
	}
	return s
}

// Format is the format the library mirrors purchases in.
func (x *LibraryAPI) Format() (string, error) {
	if err := x.a.whenStarted(); err != nil {
		return "", err
	}
	return string(x.a.library.Format(x.a.ctx)), nil
}

// SetFormat chooses the library's format; the library is mirrored again
// in it (new files first, then the old ones go).
func (x *LibraryAPI) SetFormat(format string) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.library.SetFormat(x.a.ctx, format))
}
