//go:build race

package player

// raceEnabled: the race detector slows decoding several times over, so
// audio that must reach a real device in real time cannot be judged.
const raceEnabled = true
