// Package demo fills a new local platform with a demo creator, a demo fan
// and two releases made from generated tones, so a newcomer sees a working
// store, library, player and earnings at once. No recorded music is used.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/megabox-fm/megabox/backend/api"
	mhttp "github.com/megabox-fm/megabox/backend/http"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/internal/atomicfile"
)

//go:embed assets/*.mp3
var assets embed.FS

// The demo accounts, listed on the sign-in screen of a local platform.
const (
	CreatorEmail = "nova@demo.megabox.local"
	FanEmail     = "fan@demo.megabox.local"
)

// PasswordFile holds the demo accounts' password in the local platform's
// directory. Each install draws its own: the platform listens on loopback,
// where any web page in the user's browser could try a well-known password.
const PasswordFile = "demo-password"

// Password returns the demo password kept in dir, drawing and saving a new
// random one (readable by the user only) the first time.
func Password(dir string) (string, error) {
	path := filepath.Join(dir, PasswordFile)
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("demo password: %w", err)
	}
	pw := rand.Text()
	if err := atomicfile.Write(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("demo password: %w", err)
	}
	return pw, nil
}

// Clock lets the seeder date past sales, so earnings have history.
type Clock interface {
	SetClock(now func() time.Time)
}

type release struct {
	title, file, description string
	price, min               int64
	pwyw                     bool
	hue                      float64
}

var releases = []release{
	{title: "Tidal Lines", file: "Tidal_Lines", description: "Three pieces for plucked strings and sea air.", price: 800, hue: 0.55},
	{title: "Copper Hours", file: "Copper_Hours", description: "Morning music. Name your price.", price: 600, min: 300, pwyw: true, hue: 0.08},
}

// PasswordSetter replaces an account's password (the local platform's
// account store); ENOTFOUND when there is no such account.
type PasswordSetter interface {
	SetPassword(ctx context.Context, email, password string) error
}

// DemoHandle is the demo artist's public address on the platform.
const DemoHandle = "nova-harbor"

// Seed creates the demo content, its accounts signing in with password,
// unless it exists. Demo accounts that exist with another password (a
// well-known one from before each install drew its own, or a lost password
// file) get this one. clock may be nil.
func Seed(ctx context.Context, baseURL, password string, accounts PasswordSetter, clock Clock) error {
	c, err := mhttp.NewClient(baseURL, nil)
	if err != nil {
		return err
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: CreatorEmail, Password: password}); err == nil {
		return nil // already seeded
	}
	switch err := accounts.SetPassword(ctx, CreatorEmail, password); api.ErrorCode(err) {
	case "":
		return accounts.SetPassword(ctx, FanEmail, password)
	case api.ENOTFOUND: // a new platform
	default:
		return err
	}
	s := seeder{baseURL: baseURL, password: password}
	nova, err := s.account(ctx, CreatorEmail, "Nova Harbor", true)
	if err != nil {
		return err
	}
	// A handle gives the demo artist public pages: /@nova-harbor.
	if _, err := nova.UpdateProfile(ctx, api.Profile{Handle: DemoHandle, Bio: "Slow pieces made from generated tones.\nA demo artist of this Megabox."}); err != nil {
		return fmt.Errorf("demo profile: %w", err)
	}
	var ids []int64
	for _, r := range releases {
		id, err := publish(ctx, nova, r)
		if err != nil {
			return fmt.Errorf("demo release %s: %w", r.title, err)
		}
		ids = append(ids, id)
	}
	fan, err := s.account(ctx, FanEmail, "Demo Fan", false)
	if err != nil {
		return err
	}
	if err := buy(ctx, fan, ids[0], 800, "demo-1", true); err != nil {
		return err
	}
	if err := fan.Follow(ctx, nova.accountID); err != nil {
		return err
	}
	return s.history(ctx, ids, clock)
}

type seeder struct {
	baseURL, password string
}

type client struct {
	*mhttp.Client
	accountID int64
}

func (s seeder) account(ctx context.Context, email, name string, creator bool) (*client, error) {
	c, _ := mhttp.NewClient(s.baseURL, nil)
	a, err := c.CreateAccount(ctx, api.AccountCreate{Email: email, Password: s.password, DisplayName: name, Creator: creator})
	if err != nil {
		return nil, fmt.Errorf("demo account %s: %w", email, err)
	}
	if _, err := c.CreateSession(ctx, api.Credentials{Email: email, Password: s.password}); err != nil {
		return nil, err
	}
	return &client{Client: c, accountID: a.ID}, nil
}

func publish(ctx context.Context, c *client, r release) (int64, error) {
	m := api.Manifest{Title: r.title, ArtistName: "Nova Harbor", Description: r.description, ReleaseDate: "2026",
		PriceCents: r.price, Currency: "EUR", PayWhatYouWant: r.pwyw, MinCents: r.min}
	titles := map[string][]string{"Tidal_Lines": {"Low Tide", "Salt and Glass", "Harbor Lights"}, "Copper_Hours": {"Copper Morning", "Slow Kettle", "Late Tram"}}[r.file]
	for i, title := range titles {
		data, err := assets.ReadFile(fmt.Sprintf("assets/%s-%d.mp3", r.file, i+1))
		if err != nil {
			return 0, err
		}
		sum, err := upload(ctx, c, data)
		if err != nil {
			return 0, err
		}
		m.Tracks = append(m.Tracks, api.ManifestTrack{Position: i + 1, Title: title, AudioSHA256: sum})
	}
	cover, err := upload(ctx, c, Cover(r.hue))
	if err != nil {
		return 0, err
	}
	m.CoverSHA256 = cover
	rel, err := c.CreateRelease(ctx, m)
	if err != nil {
		return 0, err
	}
	_, err = c.PublishRelease(ctx, rel.ID)
	return rel.ID, err
}

func upload(ctx context.Context, c *client, data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	_, err := c.UploadFile(ctx, bytes.NewReader(data), &mhttp.Upload{SHA256: sum, Size: int64(len(data)), Filename: "demo"})
	return sum, err
}

func buy(ctx context.Context, c *client, releaseID, amount int64, key string, share bool) error {
	_, err := c.CreatePurchase(ctx, key, api.PurchaseCreate{ReleaseID: releaseID, AmountCents: amount, Currency: "EUR", ShareEmail: share,
		Payment: api.PaymentDetails{Method: "sandbox", CardNumber: payment.CardSuccess}})
	return err
}

// history adds supporters over the last months, dated in the past.
func (s seeder) history(ctx context.Context, ids []int64, clock Clock) error {
	names := []string{"Ada", "Bruno", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro"}
	now := time.Now()
	for i, name := range names {
		if clock != nil {
			when := now.AddDate(0, -(len(names)-i)/2, -i)
			clock.SetClock(func() time.Time { return when })
		}
		f, err := s.account(ctx, fmt.Sprintf("%s@demo.megabox.local", name), name, false)
		if err != nil {
			return err
		}
		amount := []int64{600, 750, 1000, 300, 1200, 600, 450, 900}[i]
		if err := buy(ctx, f, ids[1], amount, "demo", i%2 == 0); err != nil {
			return err
		}
		if i%3 == 0 {
			if err := buy(ctx, f, ids[0], 800, "demo-2", false); err != nil {
				return err
			}
		}
	}
	if clock != nil {
		clock.SetClock(time.Now)
	}
	return nil
}

// Cover draws a 600×600 gradient cover of the given hue.
func Cover(hue float64) []byte {
	const size = 600
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			t := float64(x+y) / (2 * size)
			r, g, b := hsl(hue+0.08*t, 0.55, 0.25+0.35*t)
			wave := 0.5 + 0.5*math.Sin(float64(x)/40+math.Sin(float64(y)/60)*2)
			k := 0.85 + 0.15*wave
			img.Set(x, y, color.RGBA{uint8(r * k), uint8(g * k), uint8(b * k), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory RGBA image into a buffer cannot fail
	}
	return buf.Bytes()
}

func hsl(h, s, l float64) (float64, float64, float64) {
	h -= math.Floor(h)
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h*6, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch int(h * 6) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return (r + m) * 255, (g + m) * 255, (b + m) * 255
}
