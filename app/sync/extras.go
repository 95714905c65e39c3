package sync

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/backend/api"
)

// extras examines a release folder's bonus files (a PDF booklet, images
// other than the cover, lyrics, stems in a zip), anywhere in the folder,
// and sends each the platform must hold to jobs. A bonus file is named by
// its base name: two of the same name, one over its kind's size limit, or
// one past the release's limits is refused as a file problem; the others
// still sync. Like the tracks, it stops with errYield between files once
// yield (if set) reports true.
func (e *Engine) extras(ctx context.Context, root cache.Root, files []localFile, st *prepared, rep *Report, jobs chan<- blobJob, yield func() bool) error {
	first := map[string]string{} // lower-case name → the file that has it
	var total int64
	for _, f := range files {
		if f.kind != kindExtra {
			continue
		}
		if yield != nil && yield() {
			return errYield
		}
		rep.Files++
		name := path.Base(f.rel)
		p := extraProblem(f, name, first, len(st.extras), total)
		if p != nil {
			if err := e.fileError(ctx, root, f, st, p); err != nil {
				return err
			}
			continue
		}
		first[strings.ToLower(name)] = f.rel
		rec, err := e.examine(ctx, root, f, st)
		if err != nil {
			return err
		}
		if rec == nil {
			continue
		}
		total += f.size
		st.extras = append(st.extras, api.ManifestExtra{Name: name, SHA256: rec.SHA256})
		if e.needsWork(ctx, st, f.rel, rec, rec.SHA256) {
			jobs <- blobJob{sha: rec.SHA256, size: f.size, rel: f.rel, abs: f.abs, state: rec.State}
		}
	}
	sort.Slice(st.extras, func(i, j int) bool { return st.extras[i].Name < st.extras[j].Name })
	return nil
}

// extraProblem says why a bonus file cannot be part of its release, given
// the names taken, how many bonus files and bytes are in already; nil if
// it can.
func extraProblem(f localFile, name string, first map[string]string, count int, total int64) *Problem {
	_, limit, _ := api.ExtraKind(name)
	dir := releaseDir(f.rel)
	switch other, taken := first[strings.ToLower(name)]; {
	case f.size > limit:
		return &Problem{Kind: KindExtraTooLarge, Name: name, Limit: limit >> 20, Detail: "larger than bonus files of this kind may be"}
	case taken:
		return &Problem{Kind: KindExtraDuplicate, Name: name, Folder: inRelease(dir, other), Detail: "another bonus file has the same name: " + inRelease(dir, other)}
	case len([]rune(name)) > api.MaxExtraNameLen:
		return &Problem{Kind: KindExtraTooMany, Field: "name", Limit: api.MaxExtraNameLen, Detail: "the file name is too long"}
	case count >= api.MaxExtras:
		return &Problem{Kind: KindExtraTooMany, Limit: api.MaxExtras, Detail: "more bonus files than a release may have"}
	case total+f.size > api.MaxExtrasTotal:
		return &Problem{Kind: KindExtraTooMany, Field: "size", Limit: api.MaxExtrasTotal >> 20, Detail: "the bonus files together are larger than a release may have"}
	}
	return nil
}

// rederived reports a recorded problem the pass works out again rather
// than trusting the record: the folder may have changed around the file
// (bonus files' names and limits), or this version takes a kind of file
// an older one refused.
func rederived(p *Problem, f localFile) bool {
	switch p.Kind {
	case KindExtraTooLarge, KindExtraDuplicate, KindExtraTooMany:
		return true
	case KindUnsupportedType:
		return f.kind == kindLossless || f.kind == kindExtra
	}
	return false
}
