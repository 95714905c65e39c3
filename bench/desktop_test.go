package main

import (
	"os"
	"testing"
)

func TestMappingPart(t *testing.T) {
	bin := "/opt/megabox/megabox"
	tests := []struct{ path, want string }{
		{bin, "the megabox binary (its code and data)"},
		{"", "anonymous (Go heap, stacks, C and WebKit allocations)"},
		{"[heap]", "anonymous (Go heap, stacks, C and WebKit allocations)"},
		{"/usr/lib/x86_64-linux-gnu/libwebkit2gtk-4.1.so.0.19.9", "WebKitGTK (libwebkit2gtk)"},
		{"/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", "Mesa and LLVM (OpenGL)"},
		{"/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so", "Mesa and LLVM (OpenGL)"},
		{"/usr/lib/x86_64-linux-gnu/libflite_cmu_us_kal.so.2.2", "flite voices (linked by WebKitGTK for speech synthesis)"},
		{"/SYSV00000000", "X shared memory (the window's pixels)"},
		{"/usr/lib/x86_64-linux-gnu/libc.so.6", "other shared libraries"},
	}
	for _, tt := range tests {
		if got := mappingPart(tt.path, bin); got != tt.want {
			t.Errorf("mappingPart(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// The parts add up to the process's resident memory, and this test's own
// binary is one of them.
func TestResidentParts(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parts := residentParts(os.Getpid(), exe)
	if parts["the megabox binary (its code and data)"] <= 0 {
		t.Fatalf("no resident pages of %s in %v", exe, parts)
	}
	sum := 0.0
	for _, mb := range parts {
		sum += mb
	}
	// The same moment is not possible: allow what a test allocates meanwhile.
	if rss := memKB(os.Getpid(), "VmRSS:", "status") / 1024; sum < rss*0.9 || sum > rss*1.1 {
		t.Fatalf("parts sum to %.1f MB, VmRSS is %.1f MB", sum, rss)
	}
}
