package http

import (
	"os"
	"strconv"
)

// reopen opens the file f has open once more, with an offset of its own,
// through /proc: the same file even if it was renamed meanwhile.
func reopen(f *os.File) (*os.File, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd uintptr
	if err := rc.Control(func(x uintptr) { fd = x }); err != nil {
		return nil, err
	}
	return os.Open("/proc/self/fd/" + strconv.FormatUint(uint64(fd), 10))
}
