package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/app/cache"
	"github.com/megabox-fm/megabox/app/library"
	"github.com/megabox-fm/megabox/app/player"
)

const settingLibraryDir = "library_dir"

// openLibrary opens the library; it needs no session or network to list,
// check or play.
func (m *Main) openLibrary(ctx context.Context, cc *cache.Cache, dirFlag string) (*library.Library, error) {
	dir := cc.Setting(ctx, settingLibraryDir, library.DefaultDir())
	if dirFlag != "" {
		dir = dirFlag
		if err := cc.SetSetting(ctx, settingLibraryDir, dir); err != nil {
			return nil, fmt.Errorf("remember the library folder: %w", err)
		}
	}
	var p library.Platform
	if c, err := m.client(); err == nil {
		p = c
	}
	return library.New(cc, dir, p), nil
}

func (m *Main) library(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("library: use sync, ls or check")
	}
	fs := m.flags("library " + args[0])
	dirFlag := fs.String("dir", "", "library folder (remembered; default ~/Music/Megabox)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cc, err := openCache(ctx)
	if err != nil {
		return err
	}
	defer cc.Close()
	lib, err := m.openLibrary(ctx, cc, *dirFlag)
	if err != nil {
		return err
	}
	switch args[0] {
	case "sync":
		if _, err := m.client(); err != nil {
			return err
		}
		rep, err := lib.Sync(ctx)
		if errors.Is(err, library.ErrOffline) {
			fmt.Fprintf(m.Stdout, "Offline since %s: your library still plays from %s.\n", lib.OfflineSince(ctx).Format(time.RFC822), lib.Dir())
			return err
		} else if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%d release(s), %d track(s) in %s; %d downloaded.\n", rep.Releases, rep.Tracks, lib.Dir(), rep.Downloaded)
		return m.problems(rep)
	case "check":
		rep, err := lib.Check(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Checked %d track(s) and %d receipt(s).\n", rep.Tracks, rep.Releases)
		return m.problems(rep)
	case "ls":
		return m.listLibrary(ctx, lib)
	}
	return fmt.Errorf("library: unknown command %q", args[0])
}

func (m *Main) problems(rep *library.Report) error {
	for _, p := range rep.Problems {
		fmt.Fprintf(m.Stdout, "problem  %s: %s\n", p.Path, p.Error)
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%d problem(s)", len(rep.Problems))
	}
	return nil
}

func (m *Main) listLibrary(ctx context.Context, lib *library.Library) error {
	rels, err := lib.Releases(ctx)
	if err != nil {
		return err
	}
	if since := lib.OfflineSince(ctx); !since.IsZero() {
		fmt.Fprintf(m.Stdout, "(offline since %s)\n", since.Format(time.RFC822))
	}
	if len(rels) == 0 {
		fmt.Fprintln(m.Stdout, "Your library is empty: buy music, then run megabox-cli library sync.")
	}
	for _, r := range rels {
		mark := "available offline"
		if !r.Offline {
			mark = "incomplete: run library sync"
		}
		fmt.Fprintf(m.Stdout, "%s / %s  (%d tracks, %s)\n", r.Artist, r.Title, len(r.Tracks), mark)
		for _, t := range r.Tracks {
			fmt.Fprintf(m.Stdout, "  %2d. %-40s %s\n", t.Position, t.Title, clock(t.DurationMS))
		}
	}
	return nil
}

func clock(ms int64) string {
	s := ms / 1000
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// play plays ARTIST/ALBUM[/TRACK] from the local library.
func (m *Main) play(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("play: name ARTIST/ALBUM or ARTIST/ALBUM/TRACK")
	}
	cc, err := openCache(ctx)
	if err != nil {
		return err
	}
	defer cc.Close()
	lib, err := m.openLibrary(ctx, cc, "")
	if err != nil {
		return err
	}
	rels, err := lib.Releases(ctx)
	if err != nil {
		return err
	}
	items, start, err := pick(rels, args[0])
	if err != nil {
		return err
	}
	out, err := player.NewOtoOutput(player.DeviceRate)
	if err != nil {
		return fmt.Errorf("no audio output: %w", err)
	}
	pl := player.New(out, nil, nil)
	defer pl.Close()
	if err := pl.PlayQueue(items, start); err != nil {
		return err
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	last := -1
	for {
		select {
		case <-ctx.Done():
			pl.Stop()
			fmt.Fprintln(m.Stdout)
			return nil
		case <-tick.C:
		}
		st := pl.Status()
		if st.State == player.StateError {
			return errors.New(st.Error)
		}
		if st.Track != nil {
			line := fmt.Sprintf("▶ %s – %s  %s / %s", st.Track.Artist, st.Track.Title, clock(st.PositionMS), clock(st.DurationMS))
			if m.terminal() {
				fmt.Fprintf(m.Stdout, "\r\033[K%s", line)
			} else if st.Index != last {
				fmt.Fprintln(m.Stdout, line)
			}
			last = st.Index
		}
		if st.State == player.StateStopped {
			if m.terminal() {
				fmt.Fprintln(m.Stdout)
			}
			return nil
		}
	}
}

// pick finds the tracks a query names: ARTIST/ALBUM plays the album,
// ARTIST/ALBUM/TRACK (title or number) starts at that track.
func pick(rels []library.Release, query string) ([]player.Item, int, error) {
	parts := strings.SplitN(query, "/", 3)
	if len(parts) < 2 {
		return nil, 0, errors.New("play: name ARTIST/ALBUM")
	}
	for _, r := range rels {
		if !strings.Contains(strings.ToLower(r.Artist), strings.ToLower(parts[0])) || !strings.Contains(strings.ToLower(r.Title), strings.ToLower(parts[1])) {
			continue
		}
		var items []player.Item
		start := -1
		for _, t := range r.Tracks {
			if t.State != library.StateOK {
				continue
			}
			items = append(items, player.Item{Key: strconv.FormatInt(t.ID, 10), Path: t.Path, Title: t.Title, Artist: r.Artist, Album: r.Title, DurationMS: t.DurationMS})
			if len(parts) == 3 && start < 0 && (strings.Contains(strings.ToLower(t.Title), strings.ToLower(parts[2])) || parts[2] == strconv.Itoa(t.Position)) {
				start = len(items) - 1
			}
		}
		if len(items) == 0 {
			return nil, 0, fmt.Errorf("%s / %s has no track on disk yet: run megabox-cli library sync", r.Artist, r.Title)
		}
		if len(parts) == 3 && start < 0 {
			return nil, 0, fmt.Errorf("no track %q in %s / %s", parts[2], r.Artist, r.Title)
		}
		return items, max(start, 0), nil
	}
	return nil, 0, fmt.Errorf("nothing in your library matches %q (see megabox-cli library ls)", query)
}
