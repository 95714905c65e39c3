package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"time"
)

// tracing is MEGABOX_STARTUP_TRACE=1, read once.
var tracing = os.Getenv("MEGABOX_STARTUP_TRACE") == "1"

// startupMark writes "startup PHASE UNIXNANO" to stderr when
// MEGABOX_STARTUP_TRACE=1, so a benchmark can see what runs before the
// first frame. Otherwise it does nothing.
func startupMark(phase string) {
	if tracing {
		writeMark(os.Stderr, phase)
	}
}

func writeMark(w io.Writer, phase string) {
	fmt.Fprintf(w, "startup %s %d\n", phase, time.Now().UnixNano())
}

// TraceStartup marks when the window asks for its page, its script and
// its styles, which splits the time between the window being created and
// the page being loaded into the web view's own start and the bundle's.
// Without MEGABOX_STARTUP_TRACE=1 it returns next unchanged.
func TraceStartup(next http.Handler) http.Handler {
	if !tracing {
		return next
	}
	return traceRequests(os.Stderr, next)
}

func traceRequests(out io.Writer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch ext := path.Ext(r.URL.Path); {
		case r.URL.Path == "/" || r.URL.Path == "/index.html":
			writeMark(out, "page-requested")
		case ext == ".js" || ext == ".css":
			writeMark(out, ext[1:]+"-requested")
		}
		next.ServeHTTP(w, r)
	})
}
