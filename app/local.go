package app

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/megabox-fm/megabox/internal/atomicfile"
)

// addressFile keeps the local platform's address in its directory, so the
// platform answers at the same URL after a restart and the saved session,
// links and the CLI's login keep working.
const addressFile = "address"

// listenLocal listens on loopback at the address this home used last time,
// or on a new free port (saved for next time) when there is none or it is
// taken. previous is the address used before when it had to change.
func listenLocal(dir string) (l net.Listener, previous string, err error) {
	path := filepath.Join(dir, addressFile)
	saved, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("local platform address: %w", err)
	}
	last := strings.TrimSpace(string(saved))
	if host, _, err := net.SplitHostPort(last); err == nil && host == "127.0.0.1" {
		if l, err := net.Listen("tcp", last); err == nil {
			return l, "", nil
		}
	}
	if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, "", err
	}
	if err := atomicfile.Write(path, []byte(l.Addr().String()+"\n"), 0o600); err != nil {
		l.Close()
		return nil, "", fmt.Errorf("local platform address: %w", err)
	}
	return l, last, nil
}
