package engine

import (
	"strings"

	"github.com/postvakt/postvakt/shared/detect"
)

// The number and e-mail detectors live in shared/detect; these runners
// apply the organisation's allow-lists to what they find.

func runNationalID(st *state, c *crule) {
	st.nums = detect.NationalIDs(st.text, st.nums[:0])
	for _, m := range st.nums {
		st.add(m.Start, m.End, -1)
	}
}

func runPaymentCard(st *state, c *crule) {
	st.nums = detect.PaymentCards(st.text, st.nums[:0])
	for _, m := range st.nums {
		st.add(m.Start, m.End, -1)
	}
}

func runBankAccount(st *state, c *crule) {
	st.nums = detect.BankAccounts(st.text, st.nums[:0])
	for _, m := range st.nums {
		if st.e.org.accounts[detect.AccountKey(st.text[m.Start:m.End])] {
			continue
		}
		st.add(m.Start, m.End, -1)
	}
}

func runPhone(st *state, c *crule) {
	st.nums = detect.Phones(st.text, st.nums[:0])
	for _, m := range st.nums {
		if st.e.org.phones[detect.PhoneKey(st.text[m.Start:m.End])] {
			continue
		}
		st.add(m.Start, m.End, -1)
	}
}

func runEmail(st *state, c *crule) {
	st.nums = detect.Emails(st.text, st.nums[:0])
	for _, m := range st.nums {
		d := detect.EmailDomain(st.text[m.Start:m.End])
		if hostIn(d, st.e.org.ownDomains) {
			continue
		}
		st.add(m.Start, m.End, -1)
	}
}

func phoneKey(s string) string   { return detect.PhoneKey(s) }
func accountKey(s string) string { return detect.AccountKey(strings.TrimSpace(s)) }
