package app

import "github.com/megabox-fm/megabox/app/notify"

// DesktopAPI is the app's place on the desktop: which notifications show.
type DesktopAPI struct{ a *App }

// GetNotificationSettings says which kinds of notification are on.
func (x *DesktopAPI) GetNotificationSettings() (notify.Settings, error) {
	if err := x.a.whenStarted(); err != nil {
		return notify.Settings{}, err
	}
	return x.a.notificationSettings(x.a.ctx), nil
}

// SetNotificationSettings turns kinds of notification on or off.
func (x *DesktopAPI) SetNotificationSettings(s notify.Settings) error {
	if err := x.a.whenStarted(); err != nil {
		return err
	}
	return uiError(x.a.setNotificationSettings(x.a.ctx, s))
}
