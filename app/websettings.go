package app

import (
	"strings"

	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
)

// WebSettings are a release folder's settings for its public page, as
// megabox.json has them, and where that page is.
type WebSettings struct {
	Slug           string `json:"slug"`            // "": the platform's, made from the title
	PreviewSeconds int    `json:"preview_seconds"` // 0: the platform's default
	FullStreaming  bool   `json:"full_streaming"`
	// CurrentSlug is the release's slug on the platform, once synced;
	// ArtistURL the creator's page ("" until they choose a handle).
	CurrentSlug string `json:"current_slug"`
	ArtistURL   string `json:"artist_url"`
	// Problem is the platform's refusal of a web setting at the last sync.
	Problem *FieldProblem `json:"problem,omitempty"`
}

// FieldProblem is a refusal naming the manifest field at fault.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// webFields are the manifest fields WebSettings set.
var webFields = map[string]bool{"slug": true, "preview_seconds": true, "full_streaming": true}

// SetWebSettings writes a release folder's web address slug and preview
// length (previewSeconds 0: the default; fullStreaming: the whole tracks)
// to its megabox.json and syncs them. Settings the platform would refuse
// are not written; the error names the field.
func (x *SyncAPI) SetWebSettings(rootID int64, dir, slug string, previewSeconds int, fullStreaming bool) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	folder, err := x.a.releaseFolder(rootID, dir)
	if err != nil {
		return uiError(err)
	}
	w, err := checkWebSettings(slug, previewSeconds, fullStreaming)
	if err != nil {
		return uiError(err)
	}
	return uiError(x.a.writeWebSettings(folder, w))
}

// checkWebSettings applies the manifest's rule to web settings and
// returns them as the manifest would carry them.
func checkWebSettings(slug string, previewSeconds int, fullStreaming bool) (WebSettings, error) {
	if fullStreaming {
		previewSeconds = 0 // the whole tracks play: no length to keep
	}
	m := api.Manifest{Title: "-", ArtistName: "-", Currency: "EUR", Slug: slug, PreviewSeconds: previewSeconds, FullStreaming: fullStreaming}
	m.Normalize("-")
	if err := m.Validate(); err != nil {
		return WebSettings{}, err
	}
	return WebSettings{Slug: m.Slug, PreviewSeconds: previewSeconds, FullStreaming: fullStreaming}, nil
}

// writeWebSettings replaces the web settings in a release folder's
// megabox.json, keeping the rest of it, and syncs it.
func (a *App) writeWebSettings(folder string, w WebSettings) error {
	err := a.editSidecar(folder, func(side *sync.Sidecar) error {
		side.Slug, side.PreviewSeconds, side.FullStreaming = w.Slug, w.PreviewSeconds, w.FullStreaming
		return nil
	})
	if err != nil {
		return api.Errorf(api.EINVALID, "%v: fix or remove it first", err)
	}
	a.engine.Kick()
	return nil
}

// webSettingsOf is a sidecar's web settings, with the platform's refusal
// of them read from the release's sync error.
func webSettingsOf(side sync.Sidecar, syncErr *sync.Problem) WebSettings {
	return WebSettings{Slug: side.Slug, PreviewSeconds: side.PreviewSeconds, FullStreaming: side.FullStreaming, Problem: webProblem(syncErr)}
}

// webProblem is a release's sync error read as a problem with a web
// setting (the error names megabox.json and the field); nil otherwise.
func webProblem(p *sync.Problem) *FieldProblem {
	if p == nil || p.Kind != sync.KindSidecarInvalid || p.Code == "" {
		return nil
	}
	rest, ok := strings.CutPrefix(p.Detail, sidecarPrefix)
	if !ok {
		return nil
	}
	field, text, ok := strings.Cut(rest, ": ")
	if !ok || !webFields[field] {
		return nil
	}
	return &FieldProblem{Field: field, Message: strings.TrimSuffix(text, " ("+api.EINVALID+")")}
}

// profileHandle is the signed-in creator's handle, "" when they have none
// or the platform cannot say.
func (a *App) profileHandle() string {
	if a.currentAccount() == nil {
		return ""
	}
	p, err := a.client.MyProfile(a.ctx)
	if err != nil {
		return ""
	}
	return p.Handle
}
