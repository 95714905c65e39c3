package app

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/sync"
	"github.com/megabox-fm/megabox/backend/api"
)

// FolderView is a watched folder as the Sync view shows it.
type FolderView struct {
	ID       int64         `json:"id"`
	Path     string        `json:"path"`
	State    string        `json:"state"`
	Releases []ReleaseView `json:"releases"`
}

// ReleaseView is one release folder.
type ReleaseView struct {
	Dir   string `json:"dir"`
	State string `json:"state"`
	// Problem says why the folder is in its state (or how it synced),
	// by kind; its detail is for the log.
	Problem        *sync.Problem `json:"problem,omitempty"`
	ReleaseID      int64         `json:"release_id"`
	Published      bool          `json:"published"`
	CoverSHA256    string        `json:"cover_sha256"`
	PriceCents     int64         `json:"price_cents"`
	Currency       string        `json:"currency"`
	PayWhatYouWant bool          `json:"pay_what_you_want"`
	MinCents       int64         `json:"min_cents"`
	// Collaborators are the sidecar's, as written; CollaboratorProblem is
	// the platform's refusal of them at the last sync.
	Collaborators       []api.ManifestCollaborator `json:"collaborators"`
	CollaboratorProblem *PayeeProblem              `json:"collaborator_problem,omitempty"`
	Web                 WebSettings                `json:"web"`
	Files               []FileView                 `json:"files"`
	// Draft is the release as its next sync sends it, for the editor;
	// SidecarProblem says why megabox.json cannot be read (nil when fine).
	Draft          ReleaseDraft  `json:"draft"`
	SidecarProblem *sync.Problem `json:"sidecar_problem,omitempty"`
	// TrackProblems are the masters the platform found damaged.
	TrackProblems []TrackProblem `json:"track_problems"`
}

// FileView is one file of a release folder.
type FileView struct {
	Path    string        `json:"path"`
	State   string        `json:"state"`
	Problem *sync.Problem `json:"problem,omitempty"`
	Size    int64         `json:"size"`
}

func (a *App) folders() ([]FolderView, error) {
	roots, err := a.cache.Roots(a.ctx)
	if err != nil {
		return nil, err
	}
	remote := a.remoteReleases()
	page := artistURL(a.client.BaseURL(), a.profileHandle())
	out := []FolderView{}
	for _, r := range roots {
		fv := FolderView{ID: r.ID, Path: r.Path, State: r.State, Releases: []ReleaseView{}}
		rels, err := a.cache.Releases(a.ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, rel := range rels {
			v := a.releaseView(r, rel)
			if pr, ok := remote[rel.ReleaseID]; ok {
				v.Published, v.CoverSHA256, v.Web.CurrentSlug = pr.State == api.StatePublished, pr.CoverSHA256, pr.Slug
				v.TrackProblems = trackProblems(pr)
			}
			v.Web.ArtistURL = page
			fv.Releases = append(fv.Releases, v)
		}
		out = append(out, fv)
	}
	return out, nil
}

// remoteReleases asks the platform for the creator's releases (state and
// cover); offline the map is empty and the view says less.
func (a *App) remoteReleases() map[int64]api.Release {
	out := map[int64]api.Release{}
	page, err := a.client.MyReleases(a.ctx, api.MaxPageSize, "")
	if err != nil {
		return out
	}
	for _, r := range page.Items {
		out[r.ID] = r
	}
	return out
}

func (a *App) releaseView(r cache.Root, rel cache.Release) ReleaseView {
	problem := sync.ParseProblem(rel.Error)
	v := ReleaseView{Dir: rel.Dir, State: rel.State, Problem: problem, ReleaseID: rel.ReleaseID, Files: []FileView{}, TrackProblems: []TrackProblem{}, Collaborators: []api.ManifestCollaborator{}, PriceCents: sync.DefaultPrice.PriceCents, Currency: sync.DefaultPrice.Currency}
	side, sideErr := sync.ReadSidecar(filepath.Join(r.Path, rel.Dir))
	if sideErr == nil {
		if side.PriceCents != nil {
			v.PriceCents = *side.PriceCents
		}
		if side.Currency != "" {
			v.Currency = side.Currency
		}
		v.PayWhatYouWant, v.MinCents = side.PayWhatYouWant, side.MinCents
		v.Collaborators = append(v.Collaborators, side.Collaborators...)
		v.Web = webSettingsOf(side, problem)
	}
	v.CollaboratorProblem = syncedProblem(problem)
	files, _ := a.cache.FilesIn(a.ctx, r.ID, rel.Dir)
	if sideErr != nil {
		v.SidecarProblem = sync.SidecarProblem(sideErr)
	}
	v.Draft = planDraft(rel.Dir, files, side)
	for _, f := range files {
		v.Files = append(v.Files, FileView{Path: strings.TrimPrefix(f.Rel, rel.Dir+"/"), State: f.State, Problem: sync.FileProblem(f), Size: f.Size})
	}
	return v
}

func (a *App) root(id int64) (cache.Root, error) {
	roots, err := a.cache.Roots(a.ctx)
	if err != nil {
		return cache.Root{}, err
	}
	for _, r := range roots {
		if r.ID == id {
			return r, nil
		}
	}
	return cache.Root{}, api.Errorf(api.ENOTFOUND, "no watched folder %d", id)
}

// releaseFolder resolves a release folder by name, refusing names that
// would leave the watched folder.
func (a *App) releaseFolder(rootID int64, dir string) (string, error) {
	root, err := a.root(rootID)
	if err != nil {
		return "", err
	}
	if dir == "" || dir != filepath.Base(dir) || dir == "." || dir == ".." {
		return "", &api.Error{Code: api.EINVALID, Field: "dir", Message: "not a release folder name"}
	}
	p := filepath.Join(root.Path, dir)
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return "", api.Errorf(api.ENOTFOUND, "release folder %q is not there", dir)
	}
	return p, nil
}

func (a *App) writePrice(folder string, priceCents int64, currency string, pwyw bool, minCents int64) error {
	m := normalPrice(priceCents, currency, pwyw, minCents)
	err := a.editSidecar(folder, func(side *sync.Sidecar) error {
		side.PriceCents, side.Currency, side.PayWhatYouWant, side.MinCents = &m.PriceCents, m.Currency, m.PayWhatYouWant, m.MinCents
		return nil
	})
	if err != nil {
		return api.Errorf(api.EINVALID, "%v: fix or remove it first", err)
	}
	a.engine.Kick()
	return nil
}

// writeCollaborators replaces the collaborators in a release folder's
// megabox.json, keeping the rest of it, and syncs it.
func (a *App) writeCollaborators(folder string, cs []api.ManifestCollaborator) error {
	err := a.editSidecar(folder, func(side *sync.Sidecar) error {
		side.Collaborators = cs
		return nil
	})
	if err != nil {
		return api.Errorf(api.EINVALID, "%v: fix or remove it first", err)
	}
	a.engine.Kick()
	return nil
}
