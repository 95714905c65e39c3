package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/ledger"
	"github.com/megabox-fm/megabox/backend/payment"
	"github.com/megabox-fm/megabox/backend/receipt"
)

// MaxAmountCents caps one purchase.
const MaxAmountCents = api.MaxPriceCents

// PurchaseService implements api.PurchaseService.
type PurchaseService struct {
	db       *DB
	provider payment.Provider
	rateBps  int64
}

var _ api.PurchaseService = (*PurchaseService)(nil)

// NewPurchaseService sells through provider at the standard 10 % rate.
func NewPurchaseService(db *DB, provider payment.Provider) *PurchaseService {
	return &PurchaseService{db: db, provider: provider, rateBps: ledger.DefaultRateBps}
}

// saleContext is what a checkout needs to know about the release.
type saleContext struct {
	rel    *api.Release
	fan    api.Account
	split  ledger.Split
	hash   []byte
	key    string
	share  bool
	amount int64
}

// CreatePurchase implements api.PurchaseService.
//
// The provider is called outside any transaction with an idempotency key
// derived from the fan's, so a retry (or a concurrent twin) reaches the
// same charge; the sale, its postings and the key are then written in one
// transaction, and a twin that loses the race replays the winner's result.
func (s *PurchaseService) CreatePurchase(ctx context.Context, key string, in api.PurchaseCreate) (*api.Purchase, error) {
	c, err := api.RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	if err := validKey(key); err != nil {
		return nil, err
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	hash := requestHash(in)
	if p, err, ok := s.replay(ctx, c.Account.ID, key, hash); ok {
		return p, err
	}
	sc, err := s.prepare(ctx, c.Account, in)
	if err != nil {
		// A twin request with this key may have completed meanwhile
		// ("already owned"): its result is the answer.
		if p, rerr, ok := s.replay(ctx, c.Account.ID, key, hash); ok {
			return p, rerr
		}
		return nil, err
	}
	sc.hash, sc.key = hash, key
	charge := &payment.Charge{Ref: "free"}
	if sc.amount > 0 {
		charge, err = s.provider.Charge(ctx, payment.ChargeRequest{
			IdempotencyKey: fmt.Sprintf("purchase:%d:%s", c.Account.ID, key), AmountCents: sc.amount, Currency: in.Currency,
			CardNumber: in.Payment.CardNumber, CreatorID: sc.rel.ArtistID, ApplicationFeeCents: sc.split.Platform,
			Description: sc.rel.Title,
		})
		if api.ErrorCode(err) == api.EPAYMENT {
			return nil, s.recordDecline(ctx, c.Account.ID, key, hash, err)
		} else if err != nil {
			return nil, err
		}
	}
	id, err := s.record(ctx, sc, charge)
	if errors.Is(err, errKeyTaken) {
		p, err, _ := s.replay(ctx, c.Account.ID, key, hash)
		return p, err
	} else if err != nil {
		return nil, err
	}
	return s.findPurchase(ctx, id)
}

func validKey(key string) error {
	if key == "" || len(key) > 255 || strings.IndexFunc(key, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) >= 0 {
		return &api.Error{Code: api.EINVALID, Field: "Idempotency-Key", Message: "send an Idempotency-Key header of 1 to 255 printable ASCII characters"}
	}
	return nil
}

// requestHash fingerprints a checkout so a reused key can be told apart.
func requestHash(in api.PurchaseCreate) []byte {
	b, _ := json.Marshal(in) // plain strings, numbers and bools always marshal
	h := sha256.Sum256(b)
	return h[:]
}

// replay returns the stored outcome of an idempotency key, if any.
func (s *PurchaseService) replay(ctx context.Context, fanID int64, key string, hash []byte) (*api.Purchase, error, bool) {
	var stored []byte
	var purchaseID sql.NullInt64
	var code, msg string
	err := s.db.read.QueryRowContext(ctx, `SELECT request_hash, purchase_id, error_code, error_message FROM idempotency_keys WHERE fan_id = ? AND key = ?`,
		fanID, key).Scan(&stored, &purchaseID, &code, &msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, false
	} else if err != nil {
		return nil, err, true
	}
	if string(stored) != string(hash) {
		return nil, api.Errorf(api.EIDEMPOTENCY, "this Idempotency-Key was used for a different purchase request"), true
	}
	if !purchaseID.Valid {
		return nil, api.Errorf(code, "%s", msg), true
	}
	p, err := s.findPurchase(ctx, purchaseID.Int64)
	return p, err, true
}

// prepare checks a checkout against the release before any money moves.
func (s *PurchaseService) prepare(ctx context.Context, fan api.Account, in api.PurchaseCreate) (*saleContext, error) {
	if in.Payment.Method != "sandbox" {
		return nil, &api.Error{Code: api.EINVALID, Field: "payment.method", Message: "payment method must be \"sandbox\""}
	}
	rels := NewReleaseService(s.db)
	rel, err := rels.FindRelease(api.NewContextWithCaller(ctx, nil), in.ReleaseID) // published only
	if err != nil {
		return nil, &api.Error{Code: api.ENOTFOUND, Field: "release_id", Message: fmt.Sprintf("release %d is not for sale", in.ReleaseID)}
	}
	if err := checkAmount(rel, in); err != nil {
		return nil, err
	}
	if rel.ArtistID == fan.ID {
		return nil, api.Errorf(api.ECONFLICT, "you cannot buy your own release")
	}
	if owns, err := ownsRelease(ctx, s.db.read, fan.ID, rel.ID); err != nil {
		return nil, err
	} else if owns {
		return nil, api.Errorf(api.ECONFLICT, "you already own %q", rel.Title)
	}
	split, err := ledger.SplitGross(in.AmountCents, s.rateBps)
	if err != nil {
		return nil, &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: err.Error()}
	}
	return &saleContext{rel: rel, fan: fan, split: split, share: in.ShareEmail, amount: in.AmountCents}, nil
}

func checkAmount(rel *api.Release, in api.PurchaseCreate) error {
	switch {
	case in.Currency != rel.Currency:
		return &api.Error{Code: api.EINVALID, Field: "currency", Message: fmt.Sprintf("this release is sold in %s", rel.Currency)}
	case in.AmountCents > MaxAmountCents || in.AmountCents < 0:
		return &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: fmt.Sprintf("must be between 0 and %d", MaxAmountCents)}
	case rel.PayWhatYouWant && in.AmountCents < rel.MinCents:
		return &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: "pay at least " + api.FormatCents(rel.MinCents, rel.Currency)}
	case !rel.PayWhatYouWant && in.AmountCents < rel.PriceCents:
		return &api.Error{Code: api.EINVALID, Field: "amount_cents", Message: "the price is " + api.FormatCents(rel.PriceCents, rel.Currency)}
	}
	return nil
}

var errKeyTaken = errors.New("idempotency key taken")

// recordDecline stores a declined payment under its key so a retry gets
// the same answer without charging again.
func (s *PurchaseService) recordDecline(ctx context.Context, fanID int64, key string, hash []byte, decline error) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (fan_id, key, request_hash, error_code, error_message, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, fanID, key, hash, api.EPAYMENT, api.ErrorMessage(decline), millis(s.db.now()))
		return err
	})
	if err != nil {
		return err
	}
	return decline
}

// record writes the sale, its receipt and its journal entry at once.
func (s *PurchaseService) record(ctx context.Context, sc *saleContext, charge *payment.Charge) (int64, error) {
	key, err := s.db.activeReceiptKey(ctx)
	if err != nil {
		return 0, err
	}
	now := s.db.now().UTC().Truncate(time.Millisecond)
	var id int64
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (fan_id, key, request_hash, created_at) VALUES (?, ?, ?, ?)`,
			sc.fan.ID, sc.key, sc.hash, millis(now))
		if isUniqueViolation(err) || isPrimaryKeyViolation(err) {
			return errKeyTaken
		} else if err != nil {
			return err
		}
		if owns, err := ownsRelease(ctx, tx, sc.fan.ID, sc.rel.ID); err != nil {
			return err
		} else if owns { // bought meanwhile under another key
			return api.Errorf(api.ECONFLICT, "you already own %q", sc.rel.Title)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO purchases (fan_id, release_id, artist_id, gross_cents, creator_cents, platform_cents,
			fee_cents, rate_bps, currency, provider, payment_ref, share_email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sc.fan.ID, sc.rel.ID, sc.rel.ArtistID, sc.split.Gross, sc.split.Creator, sc.split.Platform, charge.FeeCents, s.rateBps,
			sc.rel.Currency, s.provider.Name(), charge.Ref, sc.share, millis(now))
		if err != nil {
			return fmt.Errorf("insert purchase: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert purchase: %w", err)
		}
		if err := s.writeReceipt(ctx, tx, key, id, sc, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET purchase_id = ? WHERE fan_id = ? AND key = ?`, id, sc.fan.ID, sc.key); err != nil {
			return err
		}
		txn, err := ledger.Sale(s.provider.Name(), sc.rel.ArtistID, sc.split, charge.FeeCents, sc.rel.Currency)
		if err != nil {
			return err
		}
		return post(ctx, tx, "sale", txnRefs{purchase: id}, txn, millis(now))
	})
	if err != nil && !errors.Is(err, errKeyTaken) && charge.Ref != "free" {
		// The sale could not be recorded: give the money back.
		if rerr := s.provider.Refund(context.WithoutCancel(ctx), charge.Ref, sc.amount); rerr != nil {
			err = errors.Join(err, fmt.Errorf("refund unrecorded charge %s: %w", charge.Ref, rerr))
		}
	}
	return id, err
}

func (s *PurchaseService) writeReceipt(ctx context.Context, tx *sql.Tx, key receipt.Key, id int64, sc *saleContext, now time.Time) error {
	p := receipt.Payload{
		Issuer: receipt.Issuer, IssuedAt: now.Unix(), PurchaseID: id, FanID: sc.fan.ID, FanName: sc.fan.DisplayName,
		ReleaseID: sc.rel.ID, ReleaseTitle: sc.rel.Title, ArtistID: sc.rel.ArtistID, ArtistName: sc.rel.ArtistName,
		GrossCents: sc.split.Gross, CreatorCents: sc.split.Creator, PlatformCents: sc.split.Platform, RateBps: s.rateBps,
		Currency: sc.rel.Currency, Split: splitWords(sc.split, sc.rel.Currency), PurchasedAt: now.Format(time.RFC3339),
	}
	for _, t := range sc.rel.Tracks {
		p.Tracks = append(p.Tracks, receipt.Track{Position: t.Position, Title: t.Title, SHA256: t.AudioSHA256})
		if _, err := tx.ExecContext(ctx, `INSERT INTO purchase_tracks (purchase_id, position, title, audio_sha256) VALUES (?, ?, ?, ?)`,
			id, t.Position, t.Title, t.AudioSHA256); err != nil {
			return err
		}
	}
	jws, err := receipt.Sign(key, p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE purchases SET receipt = ? WHERE id = ?`, jws, id)
	return err
}

func splitWords(s ledger.Split, currency string) string {
	return api.FormatCents(s.Creator, currency) + " to the artist, " + api.FormatCents(s.Platform, currency) + " to Megabox"
}

func (s *PurchaseService) findPurchase(ctx context.Context, id int64) (*api.Purchase, error) {
	var p api.Purchase
	var created int64
	err := s.db.read.QueryRowContext(ctx, `SELECT id, release_id, gross_cents, creator_cents, platform_cents, currency, receipt, created_at,
		(SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE purchase_id = purchases.id) FROM purchases WHERE id = ?`, id).
		Scan(&p.ID, &p.ReleaseID, &p.GrossCents, &p.CreatorCents, &p.PlatformCents, &p.Currency, &p.Receipt, &created, &p.RefundedCents)
	if err != nil {
		return nil, fmt.Errorf("find purchase: %w", err)
	}
	p.CreatedAt = fromMillis(created)
	p.Split = splitWords(ledger.Split{Gross: p.GrossCents, Creator: p.CreatorCents, Platform: p.PlatformCents}, p.Currency)
	return &p, nil
}
