package engine

import (
	"testing"
	"time"

	"github.com/postvakt/postvakt/shared/draft"
)

// TestNumbersOnTheDayOfTheCheck checks that the engine reads numbers as on
// the day of the check: 20500972514 is valid only under the check-digit
// rule for fødselsnumre issued from 2032, so before 2032 it is the account
// number it also is, and from 2032 a fødselsnummer. The day comes from the
// draft's `at`, else from Options.Now.
func TestNumbersOnTheDayOfTheCheck(t *testing.T) {
	e := builtin(t)
	text := "Beløpet går til 20500972514. Hilsen Kari, servicetorget"
	for _, tt := range []struct {
		name string
		at   string
		now  time.Time
		want string
	}{
		{"draft in 2026", "2026-05-01T10:00:00Z", time.Time{}, "pii.bank_account"},
		{"draft in 2032", "2032-01-01T00:00:00Z", time.Time{}, "pii.national_id"},
		{"host clock in 2031", "", time.Date(2031, 12, 31, 23, 0, 0, 0, time.UTC), "pii.bank_account"},
		{"host clock in 2033", "", time.Date(2033, 3, 1, 0, 0, 0, 0, time.UTC), "pii.national_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := e.Check(draft.Draft{ID: "n", Text: text, Kind: "post", At: tt.at}, Options{Now: tt.now})
			var got []string
			for _, f := range rep.Findings {
				if f.Rule == "pii.bank_account" || f.Rule == "pii.national_id" {
					got = append(got, f.Rule)
				}
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Fatalf("got %v, want [%s]", got, tt.want)
			}
		})
	}
}
