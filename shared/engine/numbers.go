package engine

import (
	"strings"

	"github.com/postvakt/postvakt/shared/detect"
)

// The number and e-mail detectors live in shared/detect; these runners
// apply the organisation's allow-lists to what they find.

type finder func(r detect.Reader, text string, dst []detect.Match) []detect.Match

// numberRunner reports every match of find that allowed does not accept.
// Numbers are read as on the day of the check (the draft's time, or
// Options.Now), which decides how the 2032 rule of national ids applies.
func numberRunner(find finder, allowed func(st *state, match string) bool) func(*state, *crule) {
	return func(st *state, c *crule) {
		st.nums = find(detect.Reader{Year: st.year}, st.text, st.nums[:0])
		for _, m := range st.nums {
			if allowed != nil && allowed(st, st.text[m.Start:m.End]) {
				continue
			}
			st.add(m.Start, m.End, -1)
		}
	}
}

var (
	runNationalID  = numberRunner(detect.Reader.NationalIDs, nil)
	runPaymentCard = numberRunner(anyDay(detect.PaymentCards), nil)
	runBankAccount = numberRunner(detect.Reader.BankAccounts, func(st *state, m string) bool { return st.e.org.accounts[detect.AccountKey(m)] })
	runPhone       = numberRunner(anyDay(detect.Phones), func(st *state, m string) bool { return st.e.org.phones[detect.PhoneKey(m)] })
	runEmail       = numberRunner(anyDay(detect.Emails), func(st *state, m string) bool { return hostIn(detect.EmailDomain(m), st.e.org.ownDomains) })
)

func phoneKey(s string) string   { return detect.PhoneKey(s) }
func accountKey(s string) string { return detect.AccountKey(strings.TrimSpace(s)) }

// anyDay adapts a finder that reads the same on every day.
func anyDay(find func(string, []detect.Match) []detect.Match) finder {
	return func(_ detect.Reader, text string, dst []detect.Match) []detect.Match { return find(text, dst) }
}
