package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// WebKitGTK's own switches for how the window's page reaches the screen,
// and GTK's for OpenGL.
const (
	envDisableDMABuf = "WEBKIT_DISABLE_DMABUF_RENDERER"
	envRenderDevice  = "WEBKIT_WEB_RENDER_DEVICE_FILE"
	envForceSHM      = "WEBKIT_DMABUF_RENDERER_FORCE_SHM"
	envGDKGL         = "GDK_GL"
)

// ChooseRenderer sets how the web view draws, before GTK starts. On a
// machine with a GPU nothing changes. On one without (a virtual machine,
// a remote session, a server under Xvfb) there is no GPU buffer to hand
// from the page's process to the window, yet WebKitGTK still opens EGL in
// the app's own process to ask which device renders, and GTK opens GLX
// to pick its visuals when it is the first GTK program on the display:
// either loads Mesa's software driver and all of LLVM with it, about
// 50 MB, for an answer of "none". Without a render node the app gives
// that answer itself: the page is drawn without GPU buffers and the window
// without OpenGL, which looks the same. Whatever the user set for these
// variables wins.
func ChooseRenderer() {
	if runtime.GOOS != "linux" {
		return
	}
	nodes, _ := filepath.Glob("/dev/dri/renderD*")
	for k, v := range softwareRendererEnv(os.LookupEnv, nodes) {
		if err := os.Setenv(k, v); err != nil {
			slog.Warn("choose the renderer", "err", err)
			return
		}
	}
}

// softwareRendererEnv is what ChooseRenderer sets: nothing when there is
// a render node or the user chose already, else no GPU buffers, no render
// device ("/dev/null": WebKit has no word for none) and no OpenGL in GTK.
func softwareRendererEnv(lookup func(string) (string, bool), renderNodes []string) map[string]string {
	if len(renderNodes) > 0 {
		return nil
	}
	for _, k := range []string{envDisableDMABuf, envRenderDevice, envForceSHM, envGDKGL} {
		if _, set := lookup(k); set {
			return nil
		}
	}
	return map[string]string{envDisableDMABuf: "1", envRenderDevice: "/dev/null", envGDKGL: "disable"}
}
