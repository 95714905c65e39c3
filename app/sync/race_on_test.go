//go:build race

package sync

// raceEnabled: the race detector makes sync.Pool drop items on purpose.
const raceEnabled = true
