//go:build dev

package app

// devBuild: this is the development build (wails dev, the browser tests).
const devBuild = true
