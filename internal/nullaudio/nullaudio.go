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

// Recording is parec recording the null sink's monitor: what PulseAudio
// mixed and sent to the (null) sound card.
type Recording struct {
	Path string // float32 stereo PCM at 48 kHz
	cmd  *exec.Cmd
	done chan struct{}
}

// Record starts recording the sink's monitor into path.
func (s *Sound) Record(path string) (*Recording, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("parec", "--server=unix:"+filepath.Join(s.Dir, "native"), "-d", "nullsink.monitor",
		"--raw", "--format=float32le", "--rate=48000", "--channels=2", "--latency-msec=20")
	cmd.Stdout = f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("parec: %w", err)
	}
	r := &Recording{Path: path, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // Stop kills it: its exit status says nothing
		f.Close()
		close(r.done)
	}()
	return r, nil
}

// Stop ends the recording and waits for parec to exit.
func (r *Recording) Stop() {
	_ = r.cmd.Process.Kill()
	<-r.done
}
