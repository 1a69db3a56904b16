package engine

import (
	"slices"
	"strings"

	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// orgIndex is the organisation settings in the forms detectors compare
// with: canonical phone and account keys, lower-case domains, normalised
// addresses.
type orgIndex struct {
	ownDomains     []string
	blockedDomains []string
	phones         map[string]bool
	accounts       map[string]bool
	addresses      []string // folded "street number"
	nameWords      map[string]bool
	team           map[string]bool
}

func newOrgIndex(o *rules.Org) orgIndex {
	x := orgIndex{phones: map[string]bool{}, accounts: map[string]bool{}, nameWords: map[string]bool{}, team: map[string]bool{}}
	for _, d := range o.OwnDomains {
		x.ownDomains = append(x.ownDomains, strings.TrimPrefix(strings.ToLower(d), "www."))
	}
	for _, d := range o.BlockedDomains {
		x.blockedDomains = append(x.blockedDomains, strings.TrimPrefix(strings.ToLower(d), "www."))
	}
	for _, p := range o.AllowedPhones {
		if k := phoneKey(p); k != "" {
			x.phones[k] = true
		}
	}
	for _, a := range o.AllowedAccounts {
		if k := accountKey(a); k != "" {
			x.accounts[k] = true
		}
	}
	for _, a := range append(slices.Clone(o.AllowedAddresses), o.PostalAddress, o.VisitingAddress) {
		if strings.TrimSpace(a) == "" {
			continue
		}
		street, _, _ := strings.Cut(a, ",")
		x.addresses = append(x.addresses, squash(textutil.Fold(street, nil).S))
	}
	for _, w := range strings.Fields(o.Name) {
		x.nameWords[textutil.Fold(w, nil).S] = true
	}
	for _, u := range o.CrisisTeam {
		x.team[strings.ToLower(strings.TrimSpace(u))] = true
	}
	return x
}

// squash removes white space, so "Torggata 5" and "Torggata  5" compare equal.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// hostIn reports whether host is one of domains or a subdomain of one.
func hostIn(host string, domains []string) bool {
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
