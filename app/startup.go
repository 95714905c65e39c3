package app

import (
	"fmt"
	"os"
	"time"
)

// startupMark writes "startup PHASE UNIXNANO" to stderr when
// MEGABOX_STARTUP_TRACE=1, so a benchmark can see what runs before the
// first frame. Otherwise it does nothing.
func startupMark(phase string) {
	if os.Getenv("MEGABOX_STARTUP_TRACE") == "1" {
		fmt.Fprintf(os.Stderr, "startup %s %d\n", phase, time.Now().UnixNano())
	}
}
