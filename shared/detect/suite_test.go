package detect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestSuite scores the number finders on the labelled suite in
// testdata/numbers: issue.jsonl (the cases of issue #11, written by hand)
// and generated.jsonl (see gen_test.go). National ids and accounts must be
// exact; phones and cards must reach a precision and a recall of 0.97.
func TestSuite(t *testing.T) {
	cases := loadSuite(t)
	type score struct{ tp, fp, fn int }
	scores := map[string]*score{}
	for _, rule := range suiteRules {
		scores[rule.name] = &score{}
	}
	var misses []string
	for _, c := range cases {
		year := c.Year
		if year == 0 {
			year = 2026
		}
		got := findAll(Reader{Year: year}, c.Text)
		want := map[string]bool{}
		for _, w := range c.Want {
			want[w.Rule+"\x00"+w.Text] = true
		}
		for k := range got {
			rule, text, _ := strings.Cut(k, "\x00")
			if want[k] {
				scores[rule].tp++
				continue
			}
			scores[rule].fp++
			misses = append(misses, fmt.Sprintf("false %s %q in %q (%s)", rule, text, c.Text, c.Note))
		}
		for k := range want {
			if !got[k] {
				rule, text, _ := strings.Cut(k, "\x00")
				scores[rule].fn++
				misses = append(misses, fmt.Sprintf("missed %s %q in %q (%s)", rule, text, c.Text, c.Note))
			}
		}
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}
	for _, rule := range suiteRules {
		s := scores[rule.name]
		p := float64(s.tp) / float64(max(1, s.tp+s.fp))
		r := float64(s.tp) / float64(max(1, s.tp+s.fn))
		t.Logf("%-13s precision %.3f recall %.3f (tp %d, fp %d, fn %d)", rule.name, p, r, s.tp, s.fp, s.fn)
		if rule.exact && (s.fp > 0 || s.fn > 0) {
			t.Errorf("%s: got %d false and %d missed, want none", rule.name, s.fp, s.fn)
		}
		if !rule.exact && (p < 0.97 || r < 0.97) {
			t.Errorf("%s: got precision %.3f and recall %.3f, want both at least 0.97", rule.name, p, r)
		}
	}
}

var suiteRules = []struct {
	name  string
	exact bool
}{{"national_id", true}, {"bank_account", true}, {"payment_card", false}, {"phone", false}}

// findAll runs the four number finders and returns "rule\x00text" keys.
func findAll(r Reader, text string) map[string]bool {
	got := map[string]bool{}
	for _, f := range []struct {
		rule string
		find func(string, []Match) []Match
	}{{"national_id", r.NationalIDs}, {"bank_account", r.BankAccounts}, {"payment_card", PaymentCards}, {"phone", Phones}} {
		for _, m := range f.find(text, nil) {
			got[f.rule+"\x00"+text[m.Start:m.End]] = true
		}
	}
	return got
}

func loadSuite(t *testing.T) []suiteCase {
	t.Helper()
	files, err := filepath.Glob("testdata/numbers/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite in testdata/numbers: %v", err)
	}
	var cases []suiteCase
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			var c suiteCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s:%d: %v", name, line, err)
			}
			for _, w := range c.Want {
				if !strings.Contains(c.Text, w.Text) {
					t.Fatalf("%s:%d: %q is not in the text", name, line, w.Text)
				}
			}
			cases = append(cases, c)
		}
		f.Close()
	}
	return cases
}
