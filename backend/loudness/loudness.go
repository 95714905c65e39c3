// Package loudness measures audio as EBU R128 and ReplayGain 2.0 see it:
// integrated (gated) loudness in LUFS and true peak, per track and over an
// album's tracks together.
//
// The measuring is libebur128's (Debian's libebur128, the reference
// implementation behind ffmpeg-normalize, rsgain and foobar2000's scanner)
// through a small cgo binding; the decoding is ffmpeg's, so FLAC and MP3
// masters go through the decoder the platform transcodes with:
//
//	blob ──stdin──▶ ffmpeg ──WAV (s32 / f32)──▶ Meter (libebur128)
//	                                    └──▶ MD5 of the samples (FLAC)
package loudness

import "math"

func mathFloat(bits uint32) float32 { return math.Float32frombits(bits) }
