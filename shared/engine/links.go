package engine

import (
	"strings"
	"unicode/utf8"
)

// link is one URL found in the original text: [s, e) bytes and its host
// (lower case, without "www." and port).
type link struct {
	s, e int
	host string
}

// tlds are the top-level domains a bare domain («fjordvik.kommune.no/budsjett»)
// must end in to count as a link; full URLs and www. links need none.
var tlds = map[string]bool{
	"no": true, "com": true, "org": true, "net": true, "info": true, "io": true, "eu": true,
	"se": true, "dk": true, "fi": true, "is": true, "uk": true, "de": true, "ly": true,
	"gl": true, "me": true, "co": true, "gov": true, "edu": true, "ai": true, "app": true,
	"dev": true, "tv": true, "link": true, "example": true, "nu": true, "biz": true, "xyz": true,
	"site": true, "online": true, "page": true, "to": true, "cc": true, "ws": true, "be": true,
	"is.gd": false,
}

// links returns the draft's links, found once per draft.
func (st *state) links() []link {
	if st.linksD {
		return st.linksBuf
	}
	st.linksD = true
	st.linksBuf = findLinks(st.text, st.linksBuf[:0])
	return st.linksBuf
}

func findLinks(s string, out []link) []link {
	i := 0
	for i < len(s) {
		c := s[i]
		if !isHostByte(c) || (i > 0 && (isHostByte(s[i-1]) || s[i-1] == '@' || s[i-1] == '/')) {
			i++
			continue
		}
		// i starts a token of host characters.
		start := i
		hs := i
		if hasFoldPrefix(s[i:], "https://") {
			hs = i + 8
		} else if hasFoldPrefix(s[i:], "http://") {
			hs = i + 7
		}
		j := hs
		dots := 0
		for j < len(s) && (isHostByte(s[j]) || s[j] == '.') {
			if s[j] == '.' {
				dots++
			}
			j++
		}
		if hs > start && j < len(s) && s[j] == '@' {
			// «https://www.fjordvik.kommune.no@klikk-her.example/logg-inn»:
			// what precedes '@' is user information, a phishing trick that
			// dresses a link up as the own site. The host follows it.
			hs, j, dots = j+1, j+1, 0
			for j < len(s) && (isHostByte(s[j]) || s[j] == '.') {
				if s[j] == '.' {
					dots++
				}
				j++
			}
		}
		if dots == 0 || (j < len(s) && s[j] == '@') && hs == start {
			if j < len(s) && s[j] == '@' {
				// An e-mail address, not a link: skip its domain too.
				j++
				for j < len(s) && (isHostByte(s[j]) || s[j] == '.') {
					j++
				}
			}
			i = max(j, i+1)
			continue
		}
		host := strings.ToLower(strings.TrimRight(s[hs:j], "."))
		scheme := hs > start
		if !validHost(host, scheme) {
			i = max(j, i+1)
			continue
		}
		e := j
		if e < len(s) && (s[e] == '/' || s[e] == ':' || s[e] == '?' || s[e] == '#') {
			for e < len(s) {
				r, n := utf8.DecodeRuneInString(s[e:])
				if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '"' || r == '<' || r == '>' || r == '»' || r == '«' || r == 0xA0 {
					break
				}
				e += n
			}
			for e > j && strings.ContainsRune(".,;:!?)]'", rune(s[e-1])) {
				e--
			}
		} else {
			e = hs + len(strings.TrimRight(s[hs:j], "."))
		}
		if k := strings.IndexByte(host, ':'); k >= 0 {
			host = host[:k]
		}
		host = strings.TrimPrefix(host, "www.")
		out = append(out, link{s: start, e: e, host: host})
		i = e
	}
	return out
}

func hasFoldPrefix(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// validHost accepts a host with at least two labels; without a scheme it
// must start with www. or end in a known top-level domain, and no label may
// be all digits, so «kl.22.00» and «f.eks.» are not links.
func validHost(h string, scheme bool) bool {
	labels, first, last := 0, "", ""
	for rest := h; ; {
		l := rest
		dot := strings.IndexByte(rest, '.')
		if dot >= 0 {
			l, rest = rest[:dot], rest[dot+1:]
		}
		if l == "" || strings.Trim(l, "0123456789") == "" {
			return false
		}
		if labels == 0 {
			first = l
		}
		last = l
		labels++
		if dot < 0 {
			break
		}
	}
	if labels < 2 {
		return false
	}
	if scheme || first == "www" {
		return true
	}
	return tlds[last] && len(first) >= 2
}

// runLink checks the draft's links against the organisation's domains.
func runLink(st *state, c *crule) {
	lr := c.r.Link
	if len(lr.Kinds) > 0 && !contains(lr.Kinds, kindOf(st.d)) {
		return
	}
	switch lr.Check {
	case "own_site_missing":
		for _, l := range st.links() {
			if hostIn(l.host, st.e.org.ownDomains) || hostIn(l.host, lr.Domains) {
				return
			}
		}
		st.add(-1, -1, -1)
	case "shortener":
		for _, l := range st.links() {
			if hostIn(l.host, lr.Domains) {
				st.add(l.s, l.e, -1)
			}
		}
	case "blocked":
		for _, l := range st.links() {
			if hostIn(l.host, st.e.org.blockedDomains) || hostIn(l.host, lr.Domains) {
				st.add(l.s, l.e, -1)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
