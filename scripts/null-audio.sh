#!/usr/bin/env bash
# A sound card for machines without one: a PulseAudio null sink, with the
# ALSA "file" plugin in front of it so whatever is played is also captured.
#
#   eval "$(scripts/null-audio.sh start DIR)"   # exports ALSA_CONFIG_PATH, MEGABOX_AUDIO_CAPTURE
#   scripts/null-audio.sh stop DIR
#
# Playback runs in real time; DIR/out.raw receives float32 stereo PCM as the
# ALSA client wrote it, and the sink (float32, 48 kHz, what the player plays
# at) can be recorded from its monitor with parec (nullaudio.Record).
set -euo pipefail
cmd=${1:?usage: null-audio.sh start|stop DIR}
dir=${2:?usage: null-audio.sh start|stop DIR}
case "$cmd" in
start)
  mkdir -p "$dir"
  XDG_RUNTIME_DIR="$dir" pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit --use-pid-file=false \
    -L "module-null-sink sink_name=nullsink format=float32le rate=48000 channels=2" \
    -L "module-native-protocol-unix auth-anonymous=1 socket=$dir/native" >"$dir/pulse.log" 2>&1 &
  echo $! >"$dir/pulse.pid"
  for _ in $(seq 50); do [ -S "$dir/native" ] && break; sleep 0.1; done
  [ -S "$dir/native" ] || { echo "pulseaudio did not start: $(cat "$dir/pulse.log")" >&2; exit 1; }
  cat >"$dir/asound.conf" <<CONF
pcm.!default { type file; slave.pcm { type pulse; server "unix:$dir/native" } file "$dir/out.raw"; format "raw" }
CONF
  echo "export ALSA_CONFIG_PATH=$dir/asound.conf MEGABOX_AUDIO_CAPTURE=$dir/out.raw"
  ;;
stop)
  [ -f "$dir/pulse.pid" ] && kill "$(cat "$dir/pulse.pid")" 2>/dev/null || true
  rm -f "$dir/pulse.pid"
  ;;
*) echo "usage: null-audio.sh start|stop DIR" >&2; exit 2 ;;
esac
