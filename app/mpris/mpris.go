// Package mpris puts the player on the Linux desktop: media keys, the
// now-playing widgets of GNOME, KDE and others, and tools like playerctl
// talk to it over the session bus through the MPRIS interfaces
// (org.mpris.MediaPlayer2 and org.mpris.MediaPlayer2.Player).
//
//	player ──Emit(status)──▶ changed ──▶ Serve ──▶ properties + signals ──▶ bus
//	bus ──method calls──▶ player (Play, Pause, Seek, …)
//
// Serve is the one goroutine that publishes the player's state; method
// calls from the bus act on the player directly, which reports back
// through Emit like any other change.
package mpris

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"

	"github.com/megabox-fm/megabox/app/player"
)

// Names on the bus.
const (
	BusName     = "org.mpris.MediaPlayer2.megabox"
	Path        = dbus.ObjectPath("/org/mpris/MediaPlayer2")
	IfaceRoot   = "org.mpris.MediaPlayer2"
	IfacePlayer = "org.mpris.MediaPlayer2.Player"
)

// NoTrack is the track id when nothing is queued.
const NoTrack = dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/NoTrack")

// Player is what the desktop controls: app/player.Player.
type Player interface {
	Status() player.Status
	Play() error
	Pause()
	Stop()
	Next() error
	Previous() error
	Seek(pos time.Duration) error
	SetVolume(v float64)
	SetRepeat(mode string) error
	SetShuffle(on bool)
}

// Options are what the app offers beyond the player.
type Options struct {
	Raise func()                      // shows the window; nil when it cannot
	Quit  func()                      // closes the app; nil when it cannot
	Cover func(it player.Item) string // the track's cover image file, "" when none
}

// Server exports the player on one bus connection.
type Server struct {
	conn  *dbus.Conn
	name  string
	p     Player
	opts  Options
	props *prop.Properties

	changed chan struct{} // the player reported a change (1-buffered)
	seeked  chan struct{} // a seek asked over the bus (1-buffered)

	// Owned by Serve: where the last published state stood, to tell a
	// seek made in the window from playback moving on.
	last struct {
		track   dbus.ObjectPath
		pos     time.Duration
		at      time.Time
		playing bool
	}
}

// New exports the player on conn and takes the MPRIS bus name, with an
// instance suffix if another Megabox holds it.
func New(conn *dbus.Conn, p Player, opts Options) (*Server, error) {
	s := &Server{conn: conn, p: p, opts: opts, changed: make(chan struct{}, 1), seeked: make(chan struct{}, 1)}
	st := p.Status()
	props, err := prop.Export(conn, Path, s.propMap(st))
	if err != nil {
		return nil, fmt.Errorf("export properties: %w", err)
	}
	s.props = props
	// Position is read live, so it is answered here rather than stored.
	if err := conn.Export(liveProps{s}, Path, "org.freedesktop.DBus.Properties"); err != nil {
		return nil, err
	}
	if err := conn.Export(rootMethods{s}, Path, IfaceRoot); err != nil {
		return nil, err
	}
	if err := conn.ExportWithMap(playerMethods{s}, playerNames, Path, IfacePlayer); err != nil {
		return nil, err
	}
	if err := conn.Export(s.introspection(), Path, "org.freedesktop.DBus.Introspectable"); err != nil {
		return nil, err
	}
	if s.name, err = requestName(conn); err != nil {
		return nil, err
	}
	s.remember(st, time.Now())
	return s, nil
}

// requestName takes BusName, or BusName.instancePID when it is taken.
func requestName(conn *dbus.Conn) (string, error) {
	for _, name := range []string{BusName, fmt.Sprintf("%s.instance%d", BusName, os.Getpid())} {
		r, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
		if err != nil {
			return "", fmt.Errorf("request %s: %w", name, err)
		}
		if r == dbus.RequestNameReplyPrimaryOwner || r == dbus.RequestNameReplyAlreadyOwner {
			return name, nil
		}
	}
	return "", fmt.Errorf("the names %s and its instance are taken", BusName)
}

// Name is the bus name the player took.
func (s *Server) Name() string { return s.name }

// Emit implements player.Emitter. The player calls it holding its lock,
// so it only wakes Serve.
func (s *Server) Emit(event string, _ any) {
	if event == player.EventStatus {
		poke(s.changed)
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Serve publishes the player's changes until ctx ends.
func (s *Server) Serve(ctx context.Context) {
	s.publish(false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.changed:
			s.publish(false)
		case <-s.seeked:
			s.publish(true)
		}
	}
}

// Close gives the name back; the connection stays its owner's. Call it
// after Serve has returned.
func (s *Server) Close() error {
	_, err := s.conn.ReleaseName(s.name)
	return err
}

// publish updates the properties from the player's state, signalling what
// changed, and Seeked when the position jumped (seeked: a seek asked over
// the bus, which signals even a small jump).
func (s *Server) publish(seeked bool) {
	st := s.p.Status()
	now := time.Now()
	for iface, props := range s.values(st) {
		for name, v := range props {
			if !reflect.DeepEqual(s.props.GetMust(iface, name), v) {
				s.props.SetMust(iface, name, v)
			}
		}
	}
	if seeked || s.jumped(st, now) {
		if err := s.conn.Emit(Path, IfacePlayer+".Seeked", st.PositionMS*1000); err != nil {
			slog.Warn("mpris: signal a seek", "err", err)
		}
	}
	s.remember(st, now)
}

// seekSlack is how far the position may stray from the clock before it is
// taken for a seek: the device takes audio in chunks, so the reported
// position moves in steps.
const seekSlack = 1500 * time.Millisecond

// jumped reports a position that playback alone cannot explain.
func (s *Server) jumped(st player.Status, now time.Time) bool {
	active := st.State == player.StatePlaying || st.State == player.StatePaused
	if !active || st.Track == nil || trackID(st) != s.last.track || s.last.at.IsZero() {
		return false
	}
	want := s.last.pos
	if s.last.playing {
		want += now.Sub(s.last.at)
	}
	d := time.Duration(st.PositionMS)*time.Millisecond - want
	return d > seekSlack || d < -seekSlack
}

func (s *Server) remember(st player.Status, now time.Time) {
	s.last.track, s.last.pos, s.last.at = trackID(st), time.Duration(st.PositionMS)*time.Millisecond, now
	s.last.playing = st.State == player.StatePlaying
	if st.State != player.StatePlaying && st.State != player.StatePaused {
		s.last.at = time.Time{}
	}
}

// propMap declares the properties with their first values.
func (s *Server) propMap(st player.Status) prop.Map {
	m := prop.Map{IfaceRoot: {}, IfacePlayer: {}}
	for iface, props := range s.values(st) {
		for name, v := range props {
			m[iface][name] = &prop.Prop{Value: v, Emit: prop.EmitTrue}
		}
	}
	for _, name := range []string{"Identity", "DesktopEntry", "CanQuit", "CanRaise", "HasTrackList", "SupportedUriSchemes", "SupportedMimeTypes"} {
		m[IfaceRoot][name].Emit = prop.EmitConst
	}
	m[IfacePlayer]["CanControl"].Emit = prop.EmitConst
	m[IfacePlayer]["Position"] = &prop.Prop{Value: int64(0), Emit: prop.EmitFalse} // answered by liveProps
	for _, name := range []string{"MinimumRate", "MaximumRate"} {
		m[IfacePlayer][name].Emit = prop.EmitConst
	}
	m[IfacePlayer]["Volume"].Writable = true
	m[IfacePlayer]["Volume"].Callback = func(c *prop.Change) *dbus.Error {
		s.p.SetVolume(min(max(c.Value.(float64), 0), 1))
		return nil
	}
	m[IfacePlayer]["LoopStatus"].Writable = true
	m[IfacePlayer]["LoopStatus"].Callback = func(c *prop.Change) *dbus.Error {
		mode, ok := repeatOf[c.Value.(string)]
		if !ok {
			return dbus.MakeFailedError(fmt.Errorf("LoopStatus must be None, Track or Playlist"))
		}
		return failed(s.p.SetRepeat(mode))
	}
	m[IfacePlayer]["Shuffle"].Writable = true
	m[IfacePlayer]["Shuffle"].Callback = func(c *prop.Change) *dbus.Error {
		s.p.SetShuffle(c.Value.(bool))
		return nil
	}
	m[IfacePlayer]["Rate"].Writable = true
	m[IfacePlayer]["Rate"].Callback = func(c *prop.Change) *dbus.Error {
		if c.Value.(float64) != 1 {
			return dbus.MakeFailedError(errors.New("megabox plays at normal speed only"))
		}
		return nil
	}
	return m
}

// values is every stored property for the player's state.
func (s *Server) values(st player.Status) map[string]map[string]any {
	playable := len(st.Queue) > 0
	return map[string]map[string]any{
		IfaceRoot: {
			"Identity":            "Megabox",
			"DesktopEntry":        "megabox",
			"CanQuit":             s.opts.Quit != nil,
			"CanRaise":            s.opts.Raise != nil,
			"HasTrackList":        false,
			"SupportedUriSchemes": []string{},
			"SupportedMimeTypes":  []string{},
		},
		IfacePlayer: {
			"PlaybackStatus": playbackStatus(st.State),
			"LoopStatus":     loopStatus[st.Repeat],
			"Shuffle":        st.Shuffle,
			"Metadata":       s.metadata(st),
			"Volume":         st.Volume,
			"Rate":           1.0,
			"MinimumRate":    1.0,
			"MaximumRate":    1.0,
			"CanGoNext":      canGoNext(st),
			"CanGoPrevious":  canGoPrevious(st),
			"CanPlay":        playable,
			"CanPause":       playable,
			"CanSeek":        st.Track != nil && st.DurationMS > 0,
			// CanControl says whether the player can be controlled at all,
			// and must not change: the others say what works right now.
			"CanControl": true,
		},
	}
}

// metadata describes the current track.
func (s *Server) metadata(st player.Status) map[string]dbus.Variant {
	if st.Track == nil {
		return map[string]dbus.Variant{"mpris:trackid": dbus.MakeVariant(NoTrack)}
	}
	t := st.Track
	m := map[string]dbus.Variant{
		"mpris:trackid": dbus.MakeVariant(trackID(st)),
		"mpris:length":  dbus.MakeVariant(t.DurationMS * 1000),
		"xesam:title":   dbus.MakeVariant(t.Title),
		"xesam:album":   dbus.MakeVariant(t.Album),
		"xesam:artist":  dbus.MakeVariant([]string{t.Artist}),
	}
	if t.Path != "" {
		m["xesam:url"] = dbus.MakeVariant(fileURL(t.Path))
	}
	if s.opts.Cover != nil {
		if c := s.opts.Cover(*t); c != "" {
			m["mpris:artUrl"] = dbus.MakeVariant(fileURL(c))
		}
	}
	return m
}

// trackID names the current track with a valid object path outside the
// reserved /org/mpris namespace.
func trackID(st player.Status) dbus.ObjectPath {
	if st.Track == nil {
		return NoTrack
	}
	h := sha256.Sum256([]byte(st.Track.Key + "\x00" + st.Track.Path))
	return dbus.ObjectPath(fmt.Sprintf("/fm/megabox/track/%d_%s", st.Index, hex.EncodeToString(h[:8])))
}

func fileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return (&url.URL{Scheme: "file", Path: abs}).String()
}

func playbackStatus(state string) string {
	switch state {
	case player.StatePlaying:
		return "Playing"
	case player.StatePaused:
		return "Paused"
	}
	return "Stopped"
}

var loopStatus = map[string]string{player.RepeatOff: "None", player.RepeatOne: "Track", player.RepeatAll: "Playlist", "": "None"}

var repeatOf = map[string]string{"None": player.RepeatOff, "Track": player.RepeatOne, "Playlist": player.RepeatAll}

// canGoNext: Next moves to another track (with repeat all, past the last
// one back to the first).
func canGoNext(st player.Status) bool {
	n := len(st.Queue)
	switch {
	case n == 0:
		return false
	case st.Repeat == player.RepeatAll:
		return true
	case st.Shuffle:
		return n > 1
	}
	return st.Index < n-1
}

// canGoPrevious: Previous moves to another track.
func canGoPrevious(st player.Status) bool {
	n := len(st.Queue)
	switch {
	case n == 0:
		return false
	case st.Shuffle:
		return n > 1
	}
	return st.Index > 0
}

func failed(err error) *dbus.Error {
	if err == nil {
		return nil
	}
	return dbus.MakeFailedError(err)
}

// liveProps answers org.freedesktop.DBus.Properties: the stored
// properties, with Position read from the player at the moment it is
// asked.
type liveProps struct{ s *Server }

func (l liveProps) position() dbus.Variant {
	return dbus.MakeVariant(l.s.p.Status().PositionMS * 1000)
}

func (l liveProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if iface == IfacePlayer && name == "Position" {
		return l.position(), nil
	}
	return l.s.props.Get(iface, name)
}

func (l liveProps) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	m, err := l.s.props.GetAll(iface)
	if err == nil && iface == IfacePlayer {
		m["Position"] = l.position()
	}
	return m, err
}

func (l liveProps) Set(iface, name string, v dbus.Variant) *dbus.Error {
	return l.s.props.Set(iface, name, v)
}

// rootMethods is org.mpris.MediaPlayer2.
type rootMethods struct{ s *Server }

func (r rootMethods) Raise() *dbus.Error {
	if r.s.opts.Raise != nil {
		r.s.opts.Raise()
	}
	return nil
}

func (r rootMethods) Quit() *dbus.Error {
	if r.s.opts.Quit != nil {
		r.s.opts.Quit()
	}
	return nil
}

// playerMethods is org.mpris.MediaPlayer2.Player. Per the specification a
// method whose Can… property is false does nothing.
type playerMethods struct{ s *Server }

func (m playerMethods) Next() *dbus.Error {
	if !canGoNext(m.s.p.Status()) {
		return nil
	}
	return failed(m.s.p.Next())
}

func (m playerMethods) Previous() *dbus.Error {
	if !canGoPrevious(m.s.p.Status()) {
		return nil
	}
	return failed(m.s.p.Previous())
}

func (m playerMethods) Pause() *dbus.Error {
	m.s.p.Pause()
	return nil
}

func (m playerMethods) PlayPause() *dbus.Error {
	st := m.s.p.Status()
	if st.State == player.StatePlaying {
		m.s.p.Pause()
		return nil
	}
	return m.Play()
}

func (m playerMethods) Stop() *dbus.Error {
	m.s.p.Stop()
	return nil
}

func (m playerMethods) Play() *dbus.Error {
	if len(m.s.p.Status().Queue) == 0 {
		return nil
	}
	return failed(m.s.p.Play())
}

// playerNames maps Go method names to the interface's where they differ
// (a Go method named Seek must look like io.Seeker's).
var playerNames = map[string]string{"SeekBy": "Seek"}

// SeekBy is Seek: it moves by offset µs; before the start seeks to it,
// past the end goes to the next track.
func (m playerMethods) SeekBy(offset int64) *dbus.Error {
	st := m.s.p.Status()
	if st.Track == nil || st.DurationMS <= 0 {
		return nil
	}
	pos := max(st.PositionMS*1000+offset, 0)
	if pos > st.DurationMS*1000 {
		return m.Next()
	}
	return m.seekTo(pos)
}

// SetPosition moves to pos µs in track, which must be the current one.
func (m playerMethods) SetPosition(track dbus.ObjectPath, pos int64) *dbus.Error {
	st := m.s.p.Status()
	if st.Track == nil || track != trackID(st) || pos < 0 || pos > st.DurationMS*1000 {
		return nil
	}
	return m.seekTo(pos)
}

func (m playerMethods) seekTo(us int64) *dbus.Error {
	if err := m.s.p.Seek(time.Duration(us) * time.Microsecond); err != nil {
		return failed(err)
	}
	poke(m.s.seeked)
	return nil
}

// OpenUri is refused: Megabox plays its own library only.
func (m playerMethods) OpenUri(uri string) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error.NotSupported", []any{"Megabox plays only its own library"})
}

func (s *Server) introspection() introspect.Introspectable {
	return introspect.NewIntrospectable(&introspect.Node{
		Name: string(Path),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{Name: IfaceRoot, Methods: introspect.Methods(rootMethods{}), Properties: s.props.Introspection(IfaceRoot)},
			{Name: IfacePlayer, Methods: playerIntrospection(), Properties: s.props.Introspection(IfacePlayer),
				Signals: []introspect.Signal{{Name: "Seeked", Args: []introspect.Arg{{Name: "Position", Type: "x"}}}}},
		},
	})
}

// playerIntrospection describes the Player methods under their bus names.
func playerIntrospection() []introspect.Method {
	ms := introspect.Methods(playerMethods{})
	for i := range ms {
		if name, ok := playerNames[ms[i].Name]; ok {
			ms[i].Name = name
		}
	}
	return ms
}
