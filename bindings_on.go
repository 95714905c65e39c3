//go:build bindings

package main

// generatingBindings is true in the build `wails generate module` runs to
// list the bound methods: that run must not open or seed anything.
const generatingBindings = true
