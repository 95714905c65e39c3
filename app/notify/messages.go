package notify

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// messages are the notifications' texts in each language, placed by fmt.
var messages = map[string]map[string]string{
	"en": {
		"sale.summary.one":    "New sale",
		"sale.summary.many":   "%d new sales",
		"sale.body":           "You earned %s.",
		"sale.body.title":     "“%s”: you earned %s.",
		"sale.body.titleOnly": "“%s” sold.",

		"sync.summary": "Sync finished",
		"sync.one.1":   "“%s”: %d file uploaded.",
		"sync.one.n":   "“%s”: %d files uploaded.",
		"sync.many":    "%d releases, %d files uploaded.",

		"file.summary": "A file could not be synced",
		"file.body":    "“%s” in “%s”. Open Megabox to see why.",

		"error.summary":              "“%s” could not be synced",
		"error.body":                 "Open Megabox to see what needs fixing.",
		"blocked.summary":            "“%s” needs attention",
		"blocked.body":               "Some files must be fixed before it can be published.",
		"needs confirmation.summary": "“%s” waits for you",
		"needs confirmation.body":    "Changes to this release wait for your confirmation.",
		"folder missing.summary":     "The folder of “%s” is gone",
		"folder missing.body":        "The release on Megabox is unchanged.",
		"root.summary":               "A watched folder is missing",
		"root.body":                  "%s may be unmounted or renamed.",
	},
	"fr": {
		"sale.summary.one":    "Nouvelle vente",
		"sale.summary.many":   "%d nouvelles ventes",
		"sale.body":           "Vous avez gagné %s.",
		"sale.body.title":     "« %s » : vous avez gagné %s.",
		"sale.body.titleOnly": "« %s » vendu.",

		"sync.summary": "Synchronisation terminée",
		"sync.one.1":   "« %s » : %d fichier envoyé.",
		"sync.one.n":   "« %s » : %d fichiers envoyés.",
		"sync.many":    "%d sorties, %d fichiers envoyés.",

		"file.summary": "Un fichier n’a pas pu être synchronisé",
		"file.body":    "« %s » dans « %s ». Ouvrez Megabox pour savoir pourquoi.",

		"error.summary":              "« %s » n’a pas pu être synchronisé",
		"error.body":                 "Ouvrez Megabox pour voir ce qu’il faut corriger.",
		"blocked.summary":            "« %s » demande votre attention",
		"blocked.body":               "Des fichiers doivent être corrigés avant de pouvoir publier.",
		"needs confirmation.summary": "« %s » attend votre accord",
		"needs confirmation.body":    "Les modifications de cette sortie attendent votre confirmation.",
		"folder missing.summary":     "Le dossier de « %s » a disparu",
		"folder missing.body":        "La sortie sur Megabox reste inchangée.",
		"root.summary":               "Un dossier surveillé est introuvable",
		"root.body":                  "%s a peut-être été démonté ou renommé.",
	},
}

// Language is the app's language from the system locale (LC_ALL,
// LC_MESSAGES, LANG), as the window picks its own: French or English.
func Language() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(l, "fr") {
				return "fr"
			}
			return "en"
		}
	}
	return "en"
}

// Money writes an amount as the window does (Intl in en-US and fr-FR):
// "€1,234.50", "CHF 8.10"; "1 234,50 €", "8,10 $US".
func Money(lang string, cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	units, frac := cents/100, cents%100
	if lang == "fr" {
		sym, ok := symbolsFR[currency]
		if !ok {
			sym = currency
		}
		return sign + group(units, "\u202f") + "," + twoDigits(frac) + "\u00a0" + sym
	}
	num := group(units, ",") + "." + twoDigits(frac)
	if sym, ok := symbolsEN[currency]; ok {
		return sign + sym + num
	}
	return sign + currency + "\u00a0" + num
}

var symbolsEN = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "AUD": "A$", "CAD": "CA$", "NZD": "NZ$"}

var symbolsFR = map[string]string{"EUR": "€", "USD": "$US", "GBP": "£GB", "AUD": "$AU", "CAD": "$CA", "NZD": "$NZ"}

// group writes n with sep between groups of three digits.
func group(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func twoDigits(n int64) string { return fmt.Sprintf("%02d", n) }
