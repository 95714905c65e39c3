package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/megabox-fm/megabox/backend/api"
)

// formats make a purchase's archive in another format than the masters
// (package transcode): the archive, or the progress of what it waits for.
type formats interface {
	// Available reports whether other formats can be made at all.
	Available() bool
	ArchiveIn(ctx context.Context, purchaseID int64, a *api.Archive, f api.Format) (*api.Archive, *api.TranscodeProgress, error)
}

// archives pack a purchase for download.
type archives interface {
	PurchaseArchive(ctx context.Context, purchaseID int64) (*api.Archive, error)
}

// downloadChoice is the format select of a purchase's download.
type downloadChoice struct {
	ID      string // the select's element id
	Action  string // /library/{purchase}/download
	Formats []formatOption
}

type formatOption struct{ Value, Label string }

// newDownloadChoice offers a purchase's formats; nil when there is no
// choice (MP3 masters only) or the platform makes no other formats.
func (h *Handler) newDownloadChoice(purchaseID int64, fs []api.Format) *downloadChoice {
	if h.formats == nil || !h.formats.Available() || len(fs) < 2 {
		return nil
	}
	id := strconv.FormatInt(purchaseID, 10)
	c := &downloadChoice{ID: "format-" + id, Action: "/library/" + id + "/download"}
	for _, f := range fs {
		c.Formats = append(c.Formats, formatOption{Value: string(f), Label: f.Label()})
	}
	return c
}

// downloadBody is the page of a download still being made.
type downloadBody struct {
	Percent int
	Failed  bool
	Format  string
	Choice  *downloadChoice
}

// download sends a buyer to their purchase's zip in the format they
// chose once every file of it is made; until then it shows how far the
// making got and reloads itself.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.caller == nil {
		http.Redirect(w, r, "/signin?next="+urlQueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
		return nil
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return api.Errorf(api.ENOTFOUND, "no such purchase")
	}
	f, err := api.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	zip := fmt.Sprintf("/api/v1/purchases/%d/archive.zip", id)
	if h.formats == nil || !h.formats.Available() || h.archives == nil {
		http.Redirect(w, r, zip, http.StatusSeeOther)
		return nil
	}
	ctx := v.ctx(r)
	a, err := h.archives.PurchaseArchive(ctx, id)
	if err != nil {
		return err
	}
	_, p, err := h.formats.ArchiveIn(ctx, id, a, f)
	if err != nil {
		return err
	}
	if p == nil {
		http.Redirect(w, r, zip+"?format="+string(f), http.StatusSeeOther)
		return nil
	}
	failed := p.State == api.TranscodeFailed
	b := &downloadBody{Percent: int(p.Progress * 100), Failed: failed, Format: f.Label()}
	if failed {
		b.Choice = h.newDownloadChoice(id, api.LosslessFormats)
	}
	page := h.base(r, v, translate(v.lang, "download.title"), r.URL.Path)
	page.Body, page.Refresh = b, !failed
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, v, http.StatusOK, "download", page)
	return nil
}
