package engine

import (
	"strings"

	"github.com/postvakt/postvakt/shared/detect"
)

// The number and e-mail detectors live in shared/detect; these runners
// apply the organisation's allow-lists to what they find.

type finder func(text string, dst []detect.Match) []detect.Match

// numberRunner reports every match of find that allowed does not accept.
func numberRunner(find finder, allowed func(st *state, match string) bool) func(*state, *crule) {
	return func(st *state, c *crule) {
		st.nums = find(st.text, st.nums[:0])
		for _, m := range st.nums {
			if allowed != nil && allowed(st, st.text[m.Start:m.End]) {
				continue
			}
			st.add(m.Start, m.End, -1)
		}
	}
}

var (
	runNationalID  = numberRunner(detect.NationalIDs, nil)
	runPaymentCard = numberRunner(detect.PaymentCards, nil)
	runBankAccount = numberRunner(detect.BankAccounts, func(st *state, m string) bool { return st.e.org.accounts[detect.AccountKey(m)] })
	runPhone       = numberRunner(detect.Phones, func(st *state, m string) bool { return st.e.org.phones[detect.PhoneKey(m)] })
	runEmail       = numberRunner(detect.Emails, func(st *state, m string) bool { return hostIn(detect.EmailDomain(m), st.e.org.ownDomains) })
)

func phoneKey(s string) string   { return detect.PhoneKey(s) }
func accountKey(s string) string { return detect.AccountKey(strings.TrimSpace(s)) }
