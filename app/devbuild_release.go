//go:build !dev

package app

// devBuild: this is a release build; test seams stay shut.
const devBuild = false
