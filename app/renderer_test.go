package app

import (
	"maps"
	"testing"
)

func TestSoftwareRendererEnv(t *testing.T) {
	noGPU := map[string]string{envDisableDMABuf: "1", envRenderDevice: "/dev/null", envGDKGL: "disable"}
	tests := []struct {
		name  string
		set   map[string]string
		nodes []string
		want  map[string]string
	}{
		{"no GPU", nil, nil, noGPU},
		{"no GPU, other WebKit variables", map[string]string{"WEBKIT_DISABLE_COMPOSITING_MODE": "1"}, nil, noGPU},
		{"a GPU", nil, []string{"/dev/dri/renderD128"}, nil},
		{"the user wants GPU buffers", map[string]string{envDisableDMABuf: "0"}, nil, nil},
		{"the user names a device", map[string]string{envRenderDevice: "/dev/dri/renderD129"}, nil, nil},
		{"the user forces shared memory", map[string]string{envForceSHM: "1"}, nil, nil},
		{"the user set GTK's OpenGL", map[string]string{envGDKGL: "always"}, nil, nil},
		{"set but empty is a choice", map[string]string{envDisableDMABuf: ""}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.set[k]; return v, ok }
			if got := softwareRendererEnv(lookup, tt.nodes); !maps.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
