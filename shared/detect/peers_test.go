package detect

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The differential tests compare the finders with the peers that have
// published validators: NAV's @navikt/fnrvalidator (npm, a test tool in
// package.json), python-stdnum (Debian's python3-stdnum, which predates
// the 2032 rule) and libphonenumber (github.com/nyaruka/phonenumbers, a
// test-only module). Each disagreement must fall in a class this file
// names and explains; any other fails the test. The peers are never
// linked into the engine.

// peerNumbers returns 11-digit numbers of every kind the national id
// finder knows, and some it must refuse: classic fødselsnumre from 1854
// to 2039, D-, H-, Tenor and D+H numbers, numbers valid only under the
// 2032 rule, FH-numbers, month+65, a digit changed, and random digits.
func peerNumbers(n int) []string {
	r := rand.New(rand.NewPCG(11, 1))
	g := &gen{r: r}
	var out []string
	for len(out) < n {
		y := 1854 + r.IntN(186)
		m := 1 + r.IntN(12)
		d := 1 + r.IntN(daysIn(m, y))
		if r.IntN(10) == 0 {
			m, d = 2, 29 // leap days, where the century matters
		}
		var ind int
		switch {
		case y < 1900:
			ind = 500 + r.IntN(250)
		case y < 2000:
			ind = r.IntN(500)
			if y >= 1940 && r.IntN(4) == 0 {
				ind = 900 + r.IntN(100)
			}
		default:
			ind = 500 + r.IntN(500)
		}
		if r.IntN(8) == 0 {
			ind = r.IntN(1000) // any individnummer, as from 2032
		}
		nine := fmt.Sprintf("%02d%02d%02d%03d", d, m, y%100, ind)
		var id string
		switch r.IntN(10) {
		case 0:
			id = classicID(nine, 40, 0)
		case 1:
			id = classicID(nine, 0, 40)
		case 2:
			id = classicID(nine, 0, 80)
		case 3:
			id = classicID(nine, 40, 40)
		case 4:
			id = with2032(nine)
		case 5:
			id = fnr(g.pick("8", "9") + g.digits(8))
		case 6:
			id = classicID(nine, 0, 65)
		case 7:
			if id = classicID(nine, 0, 0); id != "" {
				k := r.IntN(11)
				id = id[:k] + string(rune('0'+(int(id[k]-'0')+1+r.IntN(9))%10)) + id[k+1:]
			}
		case 8:
			id = g.digits(11)
		default:
			id = classicID(nine, 0, 0)
		}
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// repoRoot returns the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// runPeer writes lines to a temporary file, runs the peer on it and
// returns its output lines, one per input line.
func runPeer(t *testing.T, lines []string, name string, args ...string) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "numbers.txt")
	if err := os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{file}", f)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	got := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(got) != len(lines) {
		t.Fatalf("%s: got %d verdicts, want %d", name, len(got), len(lines))
	}
	return got
}

// tally counts agreements and disagreements by class and fails on a
// disagreement of no known class.
type tally struct {
	agree   int
	classes map[string]int
	unknown []string
}

func (tl *tally) report(t *testing.T, peer string) {
	t.Helper()
	var names []string
	for c := range tl.classes {
		names = append(names, c)
	}
	sort.Strings(names)
	total := tl.agree + len(tl.unknown)
	for _, c := range names {
		total += tl.classes[c]
	}
	t.Logf("%s: %d of %d agree", peer, tl.agree, total)
	for _, c := range names {
		t.Logf("  %d differ: %s", tl.classes[c], c)
	}
	for i, u := range tl.unknown {
		if i == 20 {
			t.Errorf("... and %d more", len(tl.unknown)-20)
			break
		}
		t.Errorf("%s disagrees, for no known reason: %s", peer, u)
	}
}

func (tl *tally) add(agree bool, class, what string) {
	switch {
	case agree:
		tl.agree++
	case class != "":
		if tl.classes == nil {
			tl.classes = map[string]int{}
		}
		tl.classes[class]++
	default:
		tl.unknown = append(tl.unknown, what)
	}
}

// TestPeerFnrvalidator compares the national id check with NAV's
// @navikt/fnrvalidator, which knows the 2032 rule, D-, H- and Tenor
// numbers but not FH-numbers.
func TestPeerFnrvalidator(t *testing.T) {
	root := repoRoot(t)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed; the comparison with @navikt/fnrvalidator needs it")
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@navikt", "fnrvalidator")); err != nil {
		t.Skip("node_modules/@navikt/fnrvalidator is missing; run npm ci in the repository root")
	}
	nums := peerNumbers(4000)
	verdicts := runPeer(t, nums, "node", "testdata/peers/fnrvalidator.cjs", "{file}", root)
	var tl tally
	for i, n := range nums {
		ours := nationalID(digitsOf(n)) != notID
		theirs := verdicts[i] == "valid"
		class := ""
		if ours && !theirs && (n[0] == '8' || n[0] == '9') {
			class = "FH-numbers (first digit 8 or 9, no date), which fnrvalidator does not know"
		}
		tl.add(ours == theirs, class, fmt.Sprintf("%s: ours %v, fnrvalidator %v", n, ours, theirs))
	}
	tl.report(t, "@navikt/fnrvalidator")
}

// TestPeerStdnum compares fødselsnumre, account numbers and IBANs with
// python-stdnum as Debian ships it (1.18, before the 2032 rule).
func TestPeerStdnum(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(p, "-c", "import stdnum.no.fodselsnummer").Run(); err == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python-stdnum is not installed (apt-get install python3-stdnum); the comparison needs it")
	}
	nums := peerNumbers(4000)
	var lines []string
	for _, n := range nums {
		lines = append(lines, "fnr "+n, "konto "+n)
	}
	r := rand.New(rand.NewPCG(11, 2))
	g := &gen{r: r}
	var ibans []string
	for range 600 {
		ib := norIBAN(g.account())
		switch r.IntN(3) {
		case 1: // a foreign IBAN of the country's format
			cc := g.pick("DE", "FR", "SE", "DK", "FI", "ES")
			bban := g.digits(ibanLen(cc) - 4)
			ib = cc + ibanCheck(cc, bban) + bban
		case 2: // one digit changed
			k := 2 + r.IntN(len(ib)-2)
			ib = ib[:k] + string(rune('0'+(int(ib[k]-'0')+1+r.IntN(9))%10)) + ib[k+1:]
		}
		ibans = append(ibans, ib)
		lines = append(lines, "iban "+ib)
	}
	verdicts := runPeer(t, lines, py, "testdata/peers/stdnum_peer.py", "{file}")
	var ids, accts, ibs tally
	for i, n := range nums {
		d := digitsOf(n)
		kind := nationalID(d)
		ours, theirs := kind != notID, verdicts[2*i] == "1"
		class := ""
		if ours && !theirs {
			class = stdnumClass(n, kind)
		}
		ids.add(ours == theirs, class, fmt.Sprintf("fnr %s: ours %v, stdnum %v", n, ours, theirs))
		ours, theirs = accountValid(d), verdicts[2*i+1] == "1"
		accts.add(ours == theirs, "", fmt.Sprintf("konto %s: ours %v, stdnum %v", n, ours, theirs))
	}
	for i, ib := range ibans {
		_, shaped, valid := ibanAt(ib, 0)
		theirs := verdicts[2*len(nums)+i] == "1"
		class := ""
		if valid && !theirs && ib[:2] == "ES" {
			class = "Spanish IBANs whose national check digits (CCC) fail: the finder checks only the IBAN's own mod 97 abroad"
		}
		ibs.add(shaped && valid == theirs, class, fmt.Sprintf("iban %s: ours %v, stdnum %v", ib, valid, theirs))
	}
	ids.report(t, "stdnum.no.fodselsnummer")
	accts.report(t, "stdnum.no.kontonr")
	ibs.report(t, "stdnum.iban")
}

// stdnumClass names why python-stdnum 1.18 refuses a number the finder
// accepts, or "".
func stdnumClass(n string, kind idKind) string {
	day, month, _ := birthDate(digitsOf(n))
	yy := int(n[4]-'0')*10 + int(n[5]-'0')
	ind := int(n[6]-'0')*100 + int(n[7]-'0')*10 + int(n[8]-'0')
	switch {
	case n[0] == '8' || n[0] == '9':
		return "FH-numbers, which stdnum refuses by design"
	case kind == id2032:
		return "valid only under the 2032 rule, which stdnum 1.18 predates"
	case n[2] == '8' || n[2] == '9':
		return "Tenor synthetic numbers (month+80), which stdnum does not know"
	case ind >= 500 && ind < 750 && yy >= 40 && yy < 54, ind >= 750 && ind < 900 && yy >= 40:
		return "individnummer and year in no century of the classic table; read as 2000s"
	case century(yy, ind) == 2000 && yy >= 26 && (yy > 26 || month > 11 || month == 11 && day > 29):
		return "a birth date after today (stdnum reads the clock; the finder does not)"
	}
	return ""
}

// TestPeerPhonenumbers compares the phone finder with libphonenumber's
// Parse and IsValidNumber for Norway (its PhoneNumberMatcher is a stub in
// the Go port) on eight-digit numbers of every leading digit, written
// alone.
func TestPeerPhonenumbers(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	g := &gen{r: r}
	var tl tally
	for range 3000 {
		n := fmt.Sprint(r.IntN(10)) + g.digits(7)
		text := "Ring " + n[:3] + " " + n[3:5] + " " + n[5:]
		ours := len(Phones(text, nil)) == 1
		num, err := phonenumbers.Parse(n, "NO")
		theirs := err == nil && phonenumbers.IsValidNumber(num)
		class := ""
		switch {
		case !ours && theirs && n[0] == '8':
			class = "the 8 series (800, 810, 815, 820, 829): businesses' service numbers, not a person's"
		case !ours && theirs && n[0] == '0':
			class = "numbers starting 0, which libphonenumber accepts as special 0-prefixed services"
		case ours && !theirs && (n[0] != '0' && n[0] != '1' && n[0] != '8'):
			class = "series Nkom has not assigned (such as 20, 30, 42, 60): still a phone number to a reader"
		}
		tl.add(ours == theirs, class, fmt.Sprintf("%s: ours %v, libphonenumber %v", n, ours, theirs))
	}
	tl.report(t, "libphonenumber (nyaruka/phonenumbers)")
}
