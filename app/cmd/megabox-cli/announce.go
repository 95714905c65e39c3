package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/megabox-fm/megabox/backend/api"
)

// announce publishes an announcement: its body from a Markdown file, its
// email to followers (the default), buyers, buyers of some releases
// (release:ID,ID) or the creator alone (me).
func (m *Main) announce(ctx context.Context, args []string) error {
	fs := m.flags("announce")
	title := fs.String("title", "", "the announcement's title")
	bodyFile := fs.String("body-file", "", "a Markdown file with its text")
	to := fs.String("to", api.AudienceFollowers, "who gets it by email: followers, buyers, release:ID,... or me")
	release := fs.Int64("release", 0, "link one of your published releases")
	lang := fs.String("lang", "en", "the language of the email's own words (en or fr)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *title == "" || *bodyFile == "" {
		return errors.New("announce: --title and --body-file are required")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	in := api.AnnouncementCreate{Title: *title, Body: string(body), ReleaseID: *release, Lang: *lang}
	if in.Audience, in.ReleaseIDs, err = audience(*to); err != nil {
		return err
	}
	c, err := m.client()
	if err != nil {
		return err
	}
	a, err := c.CreateAnnouncement(ctx, in, "")
	if err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Announcement %d published; emails queued: %d.\n", a.ID, a.Recipients)
	return nil
}

// audience reads --to.
func audience(to string) (string, []int64, error) {
	ids, ok := strings.CutPrefix(to, "release:")
	if !ok {
		return to, nil, nil
	}
	var out []int64
	for _, s := range strings.Split(ids, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return "", nil, fmt.Errorf("announce: --to release:ID,... takes release ids, not %q", s)
		}
		out = append(out, id)
	}
	return api.AudienceReleases, out, nil
}
