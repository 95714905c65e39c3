package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/megabox-fm/megabox/app/cache"
)

// listingPrint fingerprints a release folder as listed: every file's name,
// size, mtime and inode, and the defaults its manifest takes. A folder
// that lists the same as when a pass last found it all synced would build
// the same manifest from the same synced files: nothing to read or send.
func (e *Engine) listingPrint(files []localFile) string {
	h := sha256.New()
	buf := make([]byte, 0, 256)
	buf = strconv.AppendInt(buf, e.opts.Defaults.PriceCents, 10)
	buf = append(buf, e.opts.Defaults.Currency...)
	buf = append(buf, '\n')
	buf = append(buf, listingRules...)
	h.Write(buf)
	for _, f := range files {
		buf = append(buf[:0], f.rel...)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, f.size, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, f.mtimeNS, 10)
		buf = append(buf, ' ')
		buf = strconv.AppendUint(buf, f.inode, 10)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listingRules names what this version syncs from a folder: a folder
// an older version found synced is looked at again when it changes.
const listingRules = "mp3 flac wav aiff extras\n"

// unchanged reports whether a folder listing as print is as a pass last
// left it: all synced, nothing waiting for the creator.
func unchanged(rec *cache.Release, print string) bool {
	return rec.Scanned != "" && rec.Scanned == print && rec.State == StateSynced && rec.Pending == ""
}

// stillSynced reports an unchanged folder as the full pass would have,
// without reading its file records.
func (e *Engine) stillSynced(root cache.Root, rec *cache.Release, files []localFile, rep *Report) {
	tracks := 0
	for _, f := range files {
		switch f.kind {
		case kindAudio, kindLossless:
			tracks++
			rep.Files++
		case kindCover, kindExtra:
			rep.Files++
		}
	}
	e.releaseEvent(root, rec.Dir, StateSynced, rec.ReleaseID, tracks, ParseProblem(rec.Error))
}
