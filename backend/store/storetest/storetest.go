// Package storetest is the conformance suite every store.Store driver must
// pass: the platform's services run over the driver and must behave the
// same on each (go-cloud's drivertest shape: one named test per
// capability, each on a fresh, empty store). Tests assert exact outcomes:
// cents, ids, order, error codes and the fields at fault, timestamps to
// the millisecond, and empty lists where the JSON API shows [].
//
// The shared setup (accounts, blobs, releases, purchases, the clock and
// the counting payment provider) lives in setup.go; each area's tests in
// a file of their own.
package storetest

import (
	"testing"

	"github.com/megabox-fm/megabox/backend/api"
	"github.com/megabox-fm/megabox/backend/auth"
	"github.com/megabox-fm/megabox/backend/service"
	"github.com/megabox-fm/megabox/backend/store"
)

// Services are the platform's services over the store under test.
type Services struct {
	*service.Services
	Auth     api.Authenticator
	Uploads  api.UploadService
	Store    store.Store
	Payments *Payments
}

// The suite tests storage, not password cost: a cheap hash keeps the many
// sign-ups fast under -race.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// tests are the suite, by name.
var tests = []struct {
	name string
	run  func(t *testing.T, s Services)
}{
	{"Accounts", testAccounts},
	{"Sessions", testSessions},
	{"Uploads", testUploads},
	{"UsedBytesIsTheSum", testUsedBytesIsTheSum},
	{"QuotaUnderConcurrency", testQuotaUnderConcurrency},
	{"Releases", testReleases},
	{"TracksAreTheManifest", testTracksAreTheManifest},
	{"NamesShowWhatTheyContain", testNamesShowWhatTheyContain},
	{"ReleaseEditingRules", testReleaseEditingRules},
	{"Purchases", testPurchases},
	{"PurchaseRefusals", testPurchaseRefusals},
	{"Idempotency", testIdempotency},
	{"IdempotencyUnderConcurrency", testIdempotencyUnderConcurrency},
	{"OwnsAndLibrary", testOwnsAndLibrary},
	{"Downloads", testDownloads},
	{"HostedCheckouts", testHostedCheckouts},
	{"CollaboratorSplits", testCollaboratorSplits},
	{"ReleaseSlugs", testReleaseSlugs},
	{"Profiles", testProfiles},
	{"PublishingGivesAHandle", testPublishingGivesAHandle},
	{"PaymentRecords", testPaymentRecords},
	{"Refunds", testRefunds},
	{"RefundsToTheLastCent", testRefundsToTheLastCent},
	{"Payouts", testPayouts},
	{"ConcurrentPayouts", testConcurrentPayouts},
	{"Earnings", testEarnings},
	{"EarningsRefusals", testEarningsRefusals},
	{"Statement", testStatement},
	{"Fans", testFans},
	{"FollowUnfollow", testFollowUnfollow},
	{"ReceiptKeys", testReceiptKeys},
	{"ReceiptKeyFirstUseUnderConcurrency", testReceiptKeyFirstUseUnderConcurrency},
	{"TenThousandCodes", testTenThousandCodes},
	{"CodeRefusals", testCodeRefusals},
	{"FreeCode", testFreeCode},
	{"DiscountCodeCheckout", testDiscountCodeCheckout},
	{"CodesUnderConcurrency", testCodesUnderConcurrency},
	{"MailOutbox", testMailOutbox},
	{"MailClaimUnderConcurrency", testMailClaimUnderConcurrency},
	{"Announcements", testAnnouncements},
	{"AnnouncementMail", testAnnouncementMail},
	{"QueueMailsInBatches", testQueueMailsInBatches},
	{"InsightCountersUnderConcurrency", testInsightCountersUnderConcurrency},
	{"Insight", testInsight},
	{"PlayRefusals", testPlayRefusals},
	{"PrivacyRecords", testPrivacyRecords},
	{"DeleteAccount", testDeleteAccount},
	{"DeleteAccountWhileSigningIn", testDeleteAccountWhileSigningIn},
	{"Preorders", testPreorders},
	{"LosslessMasters", testLosslessMasters},
	{"ReleaseExtras", testReleaseExtras},
	{"Loudness", testLoudness},
	{"DamagedMasters", testDamagedMasters},
	{"JobQueue", testJobQueue},
	{"JobRetryFailed", testJobRetryFailed},
	{"JobClaimUnderConcurrency", testJobClaimUnderConcurrency},
	{"Transcodes", testTranscodes},
	{"TaggedCopies", testTaggedCopies},
}

// Run runs the suite; openStore returns a fresh, empty store, closed by
// the test's cleanup.
func Run(t *testing.T, openStore func(t *testing.T) store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t, openStore(t))) })
	}
}

func open(t *testing.T, st store.Store) Services {
	pay := newPayments()
	s := service.New(st, auth.NewHasher(testParams, auth.Limits{}), pay)
	return Services{Services: s, Auth: s.Accounts, Uploads: s.Blobs, Store: st, Payments: pay}
}
