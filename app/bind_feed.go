package app

import (
	"github.com/megabox-fm/megabox/backend/api"
)

// Feed lists the news of the artists the signed-in fan follows, newest
// first; cursor is the page before's next_cursor ("" for the first).
func (x *StoreAPI) Feed(cursor string) (*api.AnnouncementPage, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	if len(cursor) > 30 {
		return nil, invalid("cursor", "use the next_cursor of the page before")
	}
	p, err := x.a.client.Feed(x.a.ctx, cursor, 20)
	return p, uiError(err)
}

// FollowWith follows an artist with the fan's choices: whether to get
// their email and whether to share the address with them.
func (x *StoreAPI) FollowWith(artistID int64, email, shareEmail bool) (*api.FollowState, error) {
	if err := x.a.whenStarted(); err != nil {
		return nil, err
	}
	st, err := x.a.client.SetFollow(x.a.ctx, artistID, api.MailPrefs{Email: email, ShareEmail: shareEmail})
	return st, uiError(err)
}
