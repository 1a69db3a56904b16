package rules

import (
	"fmt"
	"github.com/postvakt/postvakt/shared/classify"
	"regexp"
	"slices"
	"strings"

	"github.com/postvakt/postvakt/shared/draft"
)

// ValidationError is one problem in a bundle, located by a JSON path such
// as `rules[3].phrase.patterns[0]` and, when known, the rule's id.
type ValidationError struct {
	Path string `json:"path"`
	Rule string `json:"rule,omitempty"`
	Msg  string `json:"message"`
	// NB is the message in bokmål, for the admin pages.
	NB string `json:"message_nb,omitempty"`
}

func (e ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Rule != "" {
		fmt.Fprintf(&b, " (rule %s)", e.Rule)
	}
	if e.Path != "" || e.Rule != "" {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ValidationErrors is every problem found in a bundle, in document order.
type ValidationErrors []ValidationError

func (es ValidationErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

var (
	idRE       = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	severities = []string{draft.SeverityInfo, draft.SeverityWarn, draft.SeverityBlock}
	platforms  = []string{"facebook", "instagram", "linkedin", "x", "youtube", "tiktok", "other"}
	kindsDraft = []string{"post", "reply", "message"}
	verdicts   = []string{draft.VerdictOK, draft.VerdictWarn, draft.VerdictBlock}
)

// Limits on admin-written content; they keep a bundle cheap to run on every
// keystroke.
const (
	MaxRules        = 500
	MaxTermsPerList = 5000
	MaxTermLen      = 200
	MaxPatternLen   = 2000
)

// Validate checks the whole bundle and returns ValidationErrors listing
// every problem, or nil.
func (b *Bundle) Validate() error {
	_, err := b.ValidateModels()
	return err
}

// ValidateModels validates the bundle like Validate and also returns its
// decoded models, so a caller that compiles the bundle decodes them once.
func (b *Bundle) ValidateModels() (map[string]*classify.Model, error) {
	var errs ValidationErrors
	add := func(path, rule, format string, args ...any) {
		errs = append(errs, ve(path, rule, format, args...))
	}
	if strings.TrimSpace(b.Version) == "" {
		add("version", "", "is required")
	}
	validateOrg(&b.Org, "org", &errs)
	if len(b.Rules) == 0 {
		add("rules", "", "a bundle needs at least one rule")
	}
	if len(b.Rules) > MaxRules {
		add("rules", "", "has %d rules, more than the limit of %d", len(b.Rules), MaxRules)
	}
	seen := map[string]int{}
	for i := range b.Rules {
		r := &b.Rules[i]
		p := fmt.Sprintf("rules[%d]", i)
		id := r.ID
		if id == "" {
			add(p+".id", "", "is required")
		} else if !idRE.MatchString(id) {
			add(p+".id", id, "must be lower-case words joined by dots, like \"pii.phone\"")
		} else if j, dup := seen[id]; dup {
			add(p+".id", id, "duplicates rules[%d]", j)
		} else {
			seen[id] = i
		}
		if r.Category == "" {
			add(p+".category", id, "is required")
		} else if id != "" && !strings.HasPrefix(id, r.Category+".") {
			add(p+".category", id, "%q does not match the id's prefix", r.Category)
		}
		if !slices.Contains(severities, r.Severity) {
			add(p+".severity", id, "%q is not one of %s", r.Severity, strings.Join(severities, ", "))
		}
		if r.Message.NB == "" || r.Message.NN == "" || r.Message.EN == "" {
			add(p+".message", id, "needs text in nb, nn and en")
		}
		if r.Suggestion.NB == "" || r.Suggestion.NN == "" || r.Suggestion.EN == "" {
			add(p+".suggestion", id, "needs text in nb, nn and en")
		}
		if strings.TrimSpace(r.Source) == "" {
			add(p+".source", id, "must cite the guideline the rule enforces")
		}
		if r.Scope != nil {
			checkList(p+".scope.platforms", id, r.Scope.Platforms, platforms, &errs)
			checkList(p+".scope.kinds", id, r.Scope.Kinds, kindsDraft, &errs)
		}
		if r.Active != nil {
			from, okF := parseWhen(r.Active.From)
			to, okT := parseWhen(r.Active.To)
			if !okF {
				add(p+".active.from", id, "%q is not a date (YYYY-MM-DD or RFC 3339)", r.Active.From)
			}
			if !okT {
				add(p+".active.to", id, "%q is not a date (YYYY-MM-DD or RFC 3339)", r.Active.To)
			}
			if okF && okT && !from.IsZero() && !to.IsZero() && !to.After(from) {
				add(p+".active", id, "to must be after from")
			}
		}
		validateKind(r, p, &errs)
	}
	for i := range b.Rules {
		r := &b.Rules[i]
		for j, y := range r.YieldTo {
			yp := fmt.Sprintf("rules[%d].yield_to[%d]", i, j)
			if _, ok := seen[y]; !ok {
				add(yp, r.ID, "no rule with id %q in the bundle", y)
			} else if y == r.ID {
				add(yp, r.ID, "a rule cannot yield to itself")
			}
		}
	}
	models, merrs := b.DecodeModels()
	errs = append(errs, merrs...)
	b.validateClassifiers(models, seen, &errs)
	for i, ex := range b.Examples {
		p := fmt.Sprintf("examples[%d]", i)
		if ex.Draft.ID == "" {
			add(p+".draft.id", "", "is required")
		}
		if !slices.Contains(verdicts, ex.Expect.Verdict) {
			add(p+".expect.verdict", "", "%q is not one of %s", ex.Expect.Verdict, strings.Join(verdicts, ", "))
		}
		for j, f := range ex.Expect.Findings {
			fp := fmt.Sprintf("%s.expect.findings[%d]", p, j)
			if _, ok := seen[f.Rule]; !ok {
				add(fp+".rule", f.Rule, "no rule with this id in the bundle")
			}
			if f.Text != "" && !strings.Contains(ex.Draft.Text, f.Text) {
				add(fp+".text", f.Rule, "%q does not occur in the draft", f.Text)
			}
			if f.Image != nil && (*f.Image < 0 || *f.Image >= len(ex.Draft.Images)) {
				add(fp+".image", f.Rule, "draft has no image %d", *f.Image)
			}
		}
	}
	if len(errs) == 0 {
		return models, nil
	}
	return nil, errs
}

func validateOrg(o *Org, p string, errs *ValidationErrors) {
	for i, d := range o.OwnDomains {
		if !isDomain(d) {
			*errs = append(*errs, ve(fmt.Sprintf("%s.own_domains[%d]", p, i), "", "%q is not a domain name", d))
		}
	}
	for i, d := range o.BlockedDomains {
		if !isDomain(d) {
			*errs = append(*errs, ve(fmt.Sprintf("%s.blocked_domains[%d]", p, i), "", "%q is not a domain name", d))
		}
	}
	if o.RetentionDays < 0 {
		*errs = append(*errs, ve(p+".retention_days", "", "must not be negative"))
	}
	if o.JournalComments != "" && o.JournalComments != "keep" && o.JournalComments != "mask" {
		*errs = append(*errs, ve(p+".journal_comments", "", "must be keep or mask"))
	}
	if o.OrgNumber != "" && !ValidOrgNumber(o.OrgNumber) {
		*errs = append(*errs, ve(p+".org_number", "", "%q is not an organisation number (nine digits with a valid check digit)", o.OrgNumber))
	}
}

// ValidOrgNumber reports whether s is a Norwegian organisasjonsnummer:
// nine digits (spaces allowed) whose last is the mod-11 check digit.
func ValidOrgNumber(s string) bool {
	d := strings.ReplaceAll(s, " ", "")
	if len(d) != 9 {
		return false
	}
	w := []int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, r := range d {
		if r < '0' || r > '9' {
			return false
		}
		if i < 8 {
			sum += int(r-'0') * w[i]
		}
	}
	k := 11 - sum%11
	if k == 11 {
		k = 0
	}
	return k != 10 && k == int(d[8]-'0')
}

func isDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.ContainsAny(d, " /:@") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" {
			return false
		}
	}
	return true
}

func checkList(p, id string, got, valid []string, errs *ValidationErrors) {
	for i, g := range got {
		if !slices.Contains(valid, g) {
			*errs = append(*errs, ve(fmt.Sprintf("%s[%d]", p, i), id, "%q is not one of %s", g, strings.Join(valid, ", ")))
		}
	}
}
