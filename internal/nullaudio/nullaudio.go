// Package nullaudio runs scripts/null-audio.sh: a PulseAudio null sink
// behind the ALSA "file" plugin, so tests and benchmarks can play real
// audio on machines without a sound card and read back what was played.
package nullaudio

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Sound is a running null sound card.
type Sound struct {
	Dir     string
	Config  string // the ALSA configuration: set ALSA_CONFIG_PATH to it
	Capture string // float32 stereo PCM of everything played
	script  string
}

// Start starts a sound card whose files live in dir.
func Start(dir string) (*Sound, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	s := &Sound{Dir: dir, Config: filepath.Join(dir, "asound.conf"), Capture: filepath.Join(dir, "out.raw"),
		script: filepath.Join(root, "scripts", "null-audio.sh")}
	if out, err := exec.Command(s.script, "start", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("null audio: %v: %s", err, out)
	}
	return s, nil
}

// Stop stops the sound card.
// Stopping is best effort: the card's files go with the test's temp dir.
func (s *Sound) Stop() { _ = exec.Command(s.script, "stop", s.Dir).Run() }

// repoRoot finds the module's root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("null audio: not inside the repository")
		}
		dir = parent
	}
}
