package app

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
)

// EarningsView is earnings with the time they were fetched.
type EarningsView struct {
	Earnings api.Earnings `json:"earnings"`
	AsOf     time.Time    `json:"as_of"`
	Offline  bool         `json:"offline"`
}

// FansView is the fans list with the time it was fetched.
type FansView struct {
	Fans    api.FanList `json:"fans"`
	AsOf    time.Time   `json:"as_of"`
	Offline bool        `json:"offline"`
}

// earnings fetches earnings and keeps a snapshot for offline use.
func (a *App) earnings(group string) (*EarningsView, error) {
	e, err := a.client.Earnings(a.ctx, api.EarningsFilter{Group: group})
	v := &EarningsView{}
	return v, a.snapshot("earnings_"+group, err, e, &v.Earnings, &v.AsOf, &v.Offline)
}

func (a *App) fans() (*FansView, error) {
	f, err := a.client.Fans(a.ctx)
	v := &FansView{}
	return v, a.snapshot("fans", err, f, &v.Fans, &v.AsOf, &v.Offline)
}

type snap struct {
	AsOf time.Time       `json:"as_of"`
	Data json.RawMessage `json:"data"`
}

// snapshot stores fresh data under key, or on a network failure loads the
// last stored data into out.
func (a *App) snapshot(key string, fetchErr error, fresh any, out any, asOf *time.Time, offline *bool) error {
	if fetchErr == nil {
		b, _ := json.Marshal(fresh)
		s, _ := json.Marshal(snap{AsOf: time.Now().UTC(), Data: b})
		if err := a.cache.SetSetting(a.ctx, "snapshot_"+key, string(s)); err != nil {
			slog.Warn("keep snapshot for offline use", "key", key, "err", err)
		}
		*asOf = time.Now().UTC()
		return json.Unmarshal(b, out)
	}
	if api.ErrorCode(fetchErr) != api.EUNAVAILABLE {
		return fetchErr
	}
	var s snap
	if err := json.Unmarshal([]byte(a.cache.Setting(a.ctx, "snapshot_"+key, "")), &s); err != nil {
		return fetchErr
	}
	*asOf, *offline = s.AsOf, true
	return json.Unmarshal(s.Data, out)
}
