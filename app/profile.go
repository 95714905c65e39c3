package app

import (
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// ProfileView is a creator's public profile and where it is on the web
// ("" until they choose a handle).
type ProfileView struct {
	Profile api.Profile `json:"profile"`
	URL     string      `json:"url"`
}

// Profile returns the signed-in account's public profile.
func (x *AccountAPI) Profile() (*ProfileView, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	p, err := x.a.client.MyProfile(x.a.ctx)
	if err != nil {
		return nil, uiError(err)
	}
	return x.a.profileView(p), nil
}

// SaveProfile saves the signed-in account's public profile. A profile the
// platform would refuse is not sent; errors name the field at fault
// ("handle", "display_name", "bio", "links[2]"); a handle someone else
// has or had is ECONFLICT.
func (x *AccountAPI) SaveProfile(p api.Profile) (*ProfileView, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if err := x.a.checkProfile(&p); err != nil {
		return nil, uiError(err)
	}
	saved, err := x.a.client.UpdateProfile(x.a.ctx, p)
	if err != nil {
		return nil, uiError(err)
	}
	return x.a.profileView(saved), nil
}

// checkProfile readies a profile from the window as the platform reads it
// (blank link rows dropped, no name: the account's) and applies the
// platform's rule.
func (a *App) checkProfile(p *api.Profile) error {
	p.Normalize()
	links := []string{}
	for _, l := range p.Links {
		if l != "" {
			links = append(links, l)
		}
	}
	p.Links = links
	if acc := a.currentAccount(); p.DisplayName == "" && acc != nil {
		p.DisplayName = acc.DisplayName
	}
	return p.Validate()
}

func (a *App) profileView(p *api.Profile) *ProfileView {
	if p.Links == nil {
		p.Links = []string{}
	}
	return &ProfileView{Profile: *p, URL: artistURL(a.client.BaseURL(), p.Handle)}
}

// artistURL is a creator's page on the platform, "" without a handle.
func artistURL(base, handle string) string {
	if handle == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/@" + handle
}
