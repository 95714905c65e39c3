package sync

import (
	"encoding/json"
	"errors"
	"net"
	"net/url"

	"github.com/megabox-fm/megabox/backend/api"
)

// Problem kinds: why a file or release folder cannot sync now, stable so
// the window can say each in the user's language. Detail keeps the cause
// in English for the log and the CLI; the window never shows it.
const (
	// Files.
	KindUnsupportedType = "unsupported_type"      // Name: the file type ("FLAC")
	KindUnreadable      = "unreadable"            // the file cannot be read
	KindNotMP3          = "not_mp3"               // no audio frames
	KindDamaged         = "damaged"               // ends in the middle of an audio frame
	KindUnplayable      = "unplayable"            // an MP3 the player cannot play
	KindSettling        = "settling"              // modified moments ago (waiting)
	KindChanged         = "changed"               // changed while being read (waiting)
	KindStillCopying    = "still_copying"         // ends mid-frame, may still grow (waiting)
	KindSidecarInvalid  = "sidecar_invalid"       // megabox.json cannot be read; Field: the setting at fault, if known
	KindSidecarUnknown  = "sidecar_unknown_field" // Field: a setting this version does not know
	KindSidecarTooLarge = "sidecar_too_large"
	// Lossless masters and bonus files. Name: the file's format ("FLAC",
	// "WAV", "AIFF") for the audio kinds.
	KindFLACChecksum   = "flac_checksum"   // the FLAC's audio does not match its MD5
	KindAudioDamaged   = "audio_damaged"   // a FLAC, WAV or AIFF that cannot be decoded to its end
	KindAudioFormat    = "audio_format"    // audio of a kind not taken (32-bit, floating point, compressed)
	KindNotAudio       = "not_audio"       // not the kind of file its name says
	KindClipping       = "clipping"        // warning (the file syncs): Count runs of full-scale samples
	KindSilent         = "silent"          // warning (the file syncs): silent from start to end
	KindExtraTooLarge  = "extra_too_large" // a bonus file over its kind's limit: Name, Limit (MiB)
	KindExtraDuplicate = "extra_duplicate" // two bonus files share the name Name; Folder: the other's path
	KindExtraTooMany   = "extra_too_many"  // past the Limit bonus files a release may have, their total size (Field "size", Limit in MiB) or name length (Field "name")
	// Releases.
	KindTooLarge         = "too_large"           // the platform refused a file as too large
	KindQuota            = "quota"               // the account's storage is full
	KindChecksum         = "checksum"            // the bytes changed on the way
	KindOffline          = "offline"             // the platform cannot be reached
	KindRefused          = "refused_by_platform" // Code and Field: the platform's refusal
	KindUploadFailed     = "upload_failed"       // a file could not be sent
	KindFailed           = "failed"              // anything else; the detail is logged
	KindFolderMissing    = "folder_missing"      // gone from disk; the release is unchanged
	KindRootMissing      = "root_missing"        // the watched folder is gone
	KindFilesNeedFix     = "files_need_attention"
	KindNoTracks         = "no_tracks"
	KindConfirmPublished = "needs_confirmation"    // changes to a published release wait
	KindConfirmRemoval   = "confirm_track_removal" // Count: the folder's tracks, Total: the release's
	KindAdoptAmbiguous   = "adopt_ambiguous"       // Count releases (Name: their titles) hold these files
	KindAdoptTaken       = "adopt_taken"           // Name: the release, Folder: the folder that has it
	// The engine as a whole.
	KindSyncOff   = "sync_off"  // Field: what failed ("folders": reading their list, "watch": watching them)
	KindUnwatched = "unwatched" // Count folders (Name: the first) looked at every Limit seconds; Code "watch_limit": the system's limit
)

// Problem is a typed reason, with the few parameters its message needs.
type Problem struct {
	Kind   string `json:"kind"`
	Field  string `json:"field,omitempty"`
	Code   string `json:"code,omitempty"`
	Name   string `json:"name,omitempty"`
	Folder string `json:"folder,omitempty"`
	Count  int    `json:"count,omitempty"`
	Total  int    `json:"total,omitempty"`
	Limit  int64  `json:"limit,omitempty"`
	Detail string `json:"detail,omitempty"` // for the log, never shown
}

func (p *Problem) String() string {
	if p == nil {
		return ""
	}
	if p.Detail != "" {
		return p.Detail
	}
	return p.Kind
}

// encode is how a problem is kept in the cache.
func (p *Problem) encode() string {
	if p == nil {
		return ""
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// ParseProblem reads a problem kept in the cache; nil for none, or for
// text an older version wrote.
func ParseProblem(s string) *Problem {
	if s == "" || s[0] != '{' {
		return nil
	}
	var p Problem
	if json.Unmarshal([]byte(s), &p) != nil || p.Kind == "" {
		return nil
	}
	return &p
}

// sidecarError is a megabox.json that cannot be used, with the setting at
// fault when one is known.
type sidecarError struct {
	kind  string
	field string
	limit int64
	err   error
}

func (e *sidecarError) Error() string { return e.err.Error() }
func (e *sidecarError) Unwrap() error { return e.err }

// SidecarProblem types an error ReadSidecar returned.
func SidecarProblem(err error) *Problem {
	return problemOf(err, KindSidecarInvalid)
}

// problemOf types an error that stopped a release folder; fallback is the
// kind of an error no one typed (a failed upload, say).
func problemOf(err error, fallback string) *Problem {
	p := &Problem{Kind: fallback, Detail: err.Error()}
	var se *sidecarError
	var ae *api.Error
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.As(err, &se):
		p.Kind, p.Field, p.Limit = se.kind, se.field, se.limit
		if errors.As(err, &ae) {
			p.Code = ae.Code
		}
	case errors.As(err, &ae):
		p.Code, p.Field = ae.Code, ae.Field
		switch ae.Code {
		case api.EUNAVAILABLE:
			p.Kind = KindOffline
		case api.ETOOLARGE:
			p.Kind = KindTooLarge
		case api.EQUOTA:
			p.Kind = KindQuota
		case api.ECHECKSUM:
			p.Kind = KindChecksum
		case api.EINTERNAL:
			p.Kind = fallback
		default:
			p.Kind = KindRefused
		}
	case errors.As(err, &netErr), errors.As(err, &urlErr):
		p.Kind = KindOffline
	}
	return p
}
