// Package credentials keeps the signed-in session: the platform URL and
// session token. The token goes to the OS keyring when there is one, else
// to a file only the user can read.
package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zalando/go-keyring"

	"github.com/megabox-fm/megabox/internal/atomicfile"
)

const service = "megabox"

// Session is what signing in leaves behind.
type Session struct {
	Server string `json:"server"`
	Email  string `json:"email"`
	Token  string `json:"token,omitempty"` // empty in the file when the keyring holds it
}

// Store saves sessions under dir.
type Store struct {
	dir        string
	useKeyring bool
}

// New returns a store for dir; useKeyring false keeps everything in the
// 0600 file (for tests and headless machines).
func New(dir string, useKeyring bool) *Store { return &Store{dir: dir, useKeyring: useKeyring} }

func (s *Store) path() string { return filepath.Join(s.dir, "session.json") }

// ErrNone means nobody is signed in.
var ErrNone = errors.New("not signed in: run megabox-cli login")

// Save stores a session.
func (s *Store) Save(sess Session) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	onDisk := sess
	if s.useKeyring && keyring.Set(service, sess.Server+"|"+sess.Email, sess.Token) == nil {
		onDisk.Token = ""
	}
	b, err := json.MarshalIndent(onDisk, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path(), b, 0o600)
}

// Load returns the stored session, or ErrNone.
func (s *Store) Load() (Session, error) {
	var sess Session
	b, err := os.ReadFile(s.path())
	if errors.Is(err, os.ErrNotExist) {
		return sess, ErrNone
	} else if err != nil {
		return sess, err
	}
	if err := json.Unmarshal(b, &sess); err != nil {
		return sess, fmt.Errorf("%s is damaged: sign in again", s.path())
	}
	if sess.Token == "" && s.useKeyring {
		sess.Token, err = keyring.Get(service, sess.Server+"|"+sess.Email)
		if err != nil {
			return sess, ErrNone
		}
	}
	if sess.Token == "" {
		return sess, ErrNone
	}
	return sess, nil
}

// Clear forgets the session.
func (s *Store) Clear() error {
	if sess, err := s.Load(); err == nil && s.useKeyring {
		if err := keyring.Delete(service, sess.Server+"|"+sess.Email); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return fmt.Errorf("forget session in keyring: %w", err)
		}
	}
	err := os.Remove(s.path())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
