package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

// The rule editor (/admin/rules): every rule of the published bundle as
// a form, for communications staff who do not read JSON. A rule's
// severity, whether it is on, where it applies (platforms, kinds of
// draft, units, a period), its messages in bokmål, nynorsk and English
// and its word lists (one word a line) are fields; «Prøv» checks the
// bundle's own examples and a sample text with the edited rule on the
// server's engine and shows the change as a diff; «Publiser» publishes a
// new version, or says in plain words why not. The JSON editor stays as
// «Avansert» (/admin/bundles/new).

var (
	severityNames = map[string]string{"info": "Bare informasjon", "warn": "Advarsel (kan overstyres med begrunnelse)", "block": "Stopper publiseringen"}
	kindNames     = map[string]string{"post": "innlegg", "reply": "svar", "message": "melding"}
	platformNames = map[string]string{"facebook": "Facebook", "instagram": "Instagram", "linkedin": "LinkedIn", "x": "X", "youtube": "YouTube", "tiktok": "TikTok", "other": "andre (egen nettside o.l.)"}
	ruleKindNames = map[string]string{rules.KindDetector: "innebygd søk", rules.KindPhrase: "ordliste", rules.KindFrame: "betydning (ramme)", rules.KindClassifier: "lært modell",
		rules.KindLink: "lenker", rules.KindImage: "bilder", rules.KindLength: "lengde", rules.KindReadability: "lesbarhet", rules.KindCrisis: "krisemodus"}
)

// listField is one word list of a rule, shown as a textarea.
type listField struct {
	Key, Label string
	Value      string
}

// ruleLists returns the rule's word lists, named by where they are in
// the rule.
func ruleLists(r *rules.Rule) []listField {
	var out []listField
	add := func(key, label string, l []string) {
		out = append(out, listField{Key: key, Label: label, Value: strings.Join(l, "\n")})
	}
	if p := r.Phrase; p != nil {
		add("phrase.words", "Ord og uttrykk som gir funn", p.Words)
		if p.Near != nil {
			add("phrase.near.words", "… bare når et av disse står i nærheten", p.Near.Words)
		}
		add("phrase.unless", "Ikke funn når setningen har et av disse", p.Unless)
	}
	if d := r.Detector; d != nil && (len(d.Params.Terms) > 0 || len(d.Params.Persons) > 0 || len(d.Params.Unless) > 0) {
		add("detector.terms", "Ord søket ser etter", d.Params.Terms)
		add("detector.persons", "Ord som viser til en person", d.Params.Persons)
		add("detector.unless", "Ikke funn når setningen har et av disse", d.Params.Unless)
	}
	if f := r.Frame; f != nil {
		for i, role := range f.Roles {
			for j, cl := range role.Classes {
				add(fmt.Sprintf("frame.%d.%d", i, j), fmt.Sprintf("%s: %s", role.Label.NB, cl.Label.NB), cl.Words)
			}
		}
		add("frame.unless", "Ikke funn når setningen har et av disse", f.Unless)
	}
	return out
}

// setList stores one edited list in r; false for an unknown key.
func setList(r *rules.Rule, key string, l []string) bool {
	switch {
	case key == "phrase.words" && r.Phrase != nil:
		r.Phrase.Words = l
	case key == "phrase.near.words" && r.Phrase != nil && r.Phrase.Near != nil:
		r.Phrase.Near.Words = l
	case key == "phrase.unless" && r.Phrase != nil:
		r.Phrase.Unless = l
	case key == "detector.terms" && r.Detector != nil:
		r.Detector.Params.Terms = l
	case key == "detector.persons" && r.Detector != nil:
		r.Detector.Params.Persons = l
	case key == "detector.unless" && r.Detector != nil:
		r.Detector.Params.Unless = l
	case key == "frame.unless" && r.Frame != nil:
		r.Frame.Unless = l
	case strings.HasPrefix(key, "frame.") && r.Frame != nil:
		var i, j int
		if _, err := fmt.Sscanf(key, "frame.%d.%d", &i, &j); err != nil || i < 0 || i >= len(r.Frame.Roles) || j < 0 || j >= len(r.Frame.Roles[i].Classes) {
			return false
		}
		r.Frame.Roles[i].Classes[j].Words = l
	default:
		return false
	}
	return true
}

// ruleRow is a rule in the list.
type ruleRow struct {
	ID, Kind, Severity, Message string
	Enabled                     bool
}

func (s *Server) handleRulesPage() echo.HandlerFunc {
	return func(c echo.Context) error {
		cur, err := s.cfg.Rules.Published(c.Request().Context())
		if err != nil {
			return err
		}
		b, err := rules.Parse(cur.JSON)
		if err != nil {
			return err
		}
		var rows []ruleRow
		for _, r := range b.Rules {
			rows = append(rows, ruleRow{ID: r.ID, Kind: ruleKindNames[r.Kind], Severity: severityNames[r.Severity], Message: r.Message.NB, Enabled: r.Enabled})
		}
		p := page{Title: "Regler", Nav: "rules", Data: map[string]any{"Rules": rows, "Version": cur.Version}}
		if c.QueryParam("msg") == "published" {
			p.Flash = "Regelen " + c.QueryParam("rule") + " er publisert i versjon " + c.QueryParam("v") + " og sendes til alle nettlesere nå."
		}
		return s.render(c, http.StatusOK, "rules", p)
	}
}

// exampleRow is one of the bundle's examples with its result.
type exampleRow struct {
	ID, Text, Expect string
	Pass             bool
	Problems         []string
}

// ruleForm is the editor's page.
type ruleForm struct {
	Rule           rules.Rule
	KindName       string
	Published      string
	From, To       string
	Units          string
	Lists          []listField
	Severities     []string
	Platforms      []string
	Kinds          []string
	Examples       []exampleRow
	Sample         string
	SampleKind     string
	SamplePlatform string
	Report         *draft.Report
	Diff           []diffLine
	Tried          bool
	Problems       []string
	PlatformNames  map[string]string
	KindNames      map[string]string
	SeverityNames  map[string]string
}

func (s *Server) publishedRule(c echo.Context) (*server.BundleVersion, *rules.Bundle, *rules.Rule, error) {
	cur, err := s.cfg.Rules.Published(c.Request().Context())
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := rules.Parse(cur.JSON)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range b.Rules {
		if b.Rules[i].ID == c.Param("id") {
			return cur, b, &b.Rules[i], nil
		}
	}
	return nil, nil, nil, server.Errorf(server.ENOTFOUND, "Regelen finnes ikke i det publiserte regelsettet.")
}

func newRuleForm(cur *server.BundleVersion, r rules.Rule) ruleForm {
	f := ruleForm{Rule: r, KindName: ruleKindNames[r.Kind], Published: cur.Version, Lists: ruleLists(&r),
		Severities: []string{"info", "warn", "block"}, Platforms: audit.Platforms[:len(audit.Platforms)-1], Kinds: []string{"post", "reply", "message"},
		PlatformNames: platformNames, KindNames: kindNames, SeverityNames: severityNames, SampleKind: "post", SamplePlatform: "facebook"}
	if r.Scope != nil {
		f.Units = strings.Join(r.Scope.Units, "\n")
	}
	if r.Active != nil {
		f.From, f.To = r.Active.From, r.Active.To
	}
	return f
}

func (s *Server) handleRulePage() echo.HandlerFunc {
	return func(c echo.Context) error {
		cur, b, r, err := s.publishedRule(c)
		if err != nil {
			return err
		}
		f := newRuleForm(cur, *r)
		f.Examples = examplesOf(b, r.ID, nil)
		p := page{Title: "Regel " + r.ID, Nav: "rules", Data: f}
		if c.QueryParam("msg") == "published" {
			p.Flash = "Regelen er publisert i versjon " + c.QueryParam("v") + " og sendes til alle nettlesere nå."
		}
		allowEditorScript(c)
		return s.render(c, http.StatusOK, "rule", p)
	}
}

// allowEditorScript lets the rule editor load its one script (the live
// try-out) from this origin; every other page forbids scripts.
func allowEditorScript(c echo.Context) {
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// readRule applies the form to a copy of r; field problems in bokmål.
func readRule(c echo.Context, r rules.Rule) (rules.Rule, []string) {
	var problems []string
	form, _ := c.FormParams()
	r.Enabled = c.FormValue("enabled") == "on"
	if sv := c.FormValue("severity"); slices.Contains([]string{"info", "warn", "block"}, sv) {
		r.Severity = sv
	}
	sc := rules.Scope{Units: lines(c.FormValue("units"))}
	for _, p := range form["platform"] {
		if _, ok := platformNames[p]; ok {
			sc.Platforms = append(sc.Platforms, p)
		}
	}
	for _, k := range form["kind"] {
		if _, ok := kindNames[k]; ok {
			sc.Kinds = append(sc.Kinds, k)
		}
	}
	// Every platform (or kind) ticked is the same as no limit.
	if len(sc.Platforms) == len(platformNames) {
		sc.Platforms = nil
	}
	if len(sc.Kinds) == len(kindNames) {
		sc.Kinds = nil
	}
	r.Scope = nil
	if len(sc.Platforms)+len(sc.Kinds)+len(sc.Units) > 0 {
		r.Scope = &sc
	}
	from, to := strings.TrimSpace(c.FormValue("from")), strings.TrimSpace(c.FormValue("to"))
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.RFC3339, d); d != "" && !dateRE.MatchString(d) && err != nil {
			problems = append(problems, "Perioden: «"+d+"» er ikke en dato. Skriv den som ÅÅÅÅ-MM-DD, for eksempel 2027-09-13.")
		}
	}
	r.Active = nil
	if from != "" || to != "" {
		r.Active = &rules.Window{From: from, To: to}
	}
	txt := func(name string) string { return strings.TrimSpace(sanitize(c.FormValue(name))) }
	r.Message = rules.Text{NB: txt("message_nb"), NN: txt("message_nn"), EN: txt("message_en")}
	r.Suggestion = rules.Text{NB: txt("suggestion_nb"), NN: txt("suggestion_nn"), EN: txt("suggestion_en")}
	// Deep copies of the lists' owners, so the published rule is untouched.
	r = cloneRule(r)
	for key, vals := range form {
		if k, ok := strings.CutPrefix(key, "list:"); ok && len(vals) > 0 {
			setList(&r, k, lines(vals[0]))
		}
	}
	return r, problems
}

// cloneRule copies the parts of r the editor changes.
func cloneRule(r rules.Rule) rules.Rule {
	if r.Phrase != nil {
		p := *r.Phrase
		if p.Near != nil {
			n := *p.Near
			p.Near = &n
		}
		r.Phrase = &p
	}
	if r.Detector != nil {
		d := *r.Detector
		r.Detector = &d
	}
	if r.Frame != nil {
		f := *r.Frame
		f.Roles = slices.Clone(f.Roles)
		for i := range f.Roles {
			f.Roles[i].Classes = slices.Clone(f.Roles[i].Classes)
		}
		r.Frame = &f
	}
	return r
}

// examplesOf lists the examples that expect a finding of rule id or that
// fail, with their results (failures by example index; nil: not run).
func examplesOf(b *rules.Bundle, id string, failures map[int][]string) []exampleRow {
	var out []exampleRow
	for i, ex := range b.Examples {
		mine := false
		var exp []string
		for _, f := range ex.Expect.Findings {
			mine = mine || f.Rule == id
			if f.Text != "" {
				exp = append(exp, fmt.Sprintf("%s på «%s»", f.Rule, f.Text))
			} else {
				exp = append(exp, f.Rule)
			}
		}
		fails := failures[i]
		if !mine && len(fails) == 0 {
			continue
		}
		e := verdictNB(ex.Expect.Verdict)
		if len(exp) > 0 {
			e += ": " + strings.Join(exp, ", ")
		}
		out = append(out, exampleRow{ID: ex.Draft.ID, Text: ex.Draft.Text, Expect: e, Pass: failures != nil && len(fails) == 0, Problems: fails})
	}
	return out
}

func verdictNB(v string) string {
	return map[string]string{"block": "stoppes", "warn": "advarsel", "ok": "i orden"}[v]
}

var (
	verdictMsg    = regexp.MustCompile(`^verdict (\w+), want (\w+)$`)
	missingMsg    = regexp.MustCompile(`^missing (\S+)(?: on "(.*)")?(?: on image (\d+))?$`)
	unexpectedMsg = regexp.MustCompile(`^unexpected (\S+) at (-?\d+):(-?\d+)$`)
)

// exampleMsgNB says an example's mismatch in bokmål.
func exampleMsgNB(m string) string {
	if g := verdictMsg.FindStringSubmatch(m); g != nil {
		return fmt.Sprintf("gir «%s», men skal gi «%s»", verdictNB(g[1]), verdictNB(g[2]))
	}
	if g := missingMsg.FindStringSubmatch(m); g != nil {
		if g[2] != "" {
			return fmt.Sprintf("%s finner ikke «%s» lenger", g[1], g[2])
		}
		return g[1] + " gir ikke lenger funn"
	}
	if g := unexpectedMsg.FindStringSubmatch(m); g != nil {
		return g[1] + " gir et funn eksempelet ikke skal ha"
	}
	return m
}

// tryRule checks the edited bundle: its examples, and the sample text.
func (s *Server) tryRule(c echo.Context, f *ruleForm, doc []byte) error {
	nb, err := rules.Parse(doc)
	if err != nil {
		var ve rules.ValidationErrors
		if errors.As(err, &ve) {
			for _, e := range ve {
				f.Problems = append(f.Problems, ruleFieldProblem(e.Path, e.NB, e.Msg))
			}
			return nil
		}
		f.Problems = append(f.Problems, err.Error())
		return nil
	}
	eng, err := engine.New(nb)
	if err != nil {
		f.Problems = append(f.Problems, err.Error())
		return nil
	}
	failures := map[int][]string{}
	for _, ff := range eng.RunExamples() {
		failures[ff.Example] = append(failures[ff.Example], exampleMsgNB(ff.Msg))
	}
	f.Examples = examplesOf(nb, f.Rule.ID, failures)
	if strings.TrimSpace(f.Sample) != "" {
		cl := claimsOf(c)
		rep, err := runEngine(c.Request().Context(), s.cfg.Rules, eng, s.cfg.Now(),
			draft.Draft{ID: "prøve", Text: f.Sample, Platform: f.SamplePlatform, Kind: f.SampleKind, User: cl.Name, Unit: cl.Unit}, "nb")
		if err != nil {
			return err
		}
		f.Report = &rep
	}
	return nil
}

var rulePathRE = regexp.MustCompile(`^rules\[\d+\]\.?`)

// ruleFieldProblem says a validation error of the edited rule with the
// form's words for where it is.
func ruleFieldProblem(path, nb, en string) string {
	msg := nb
	if msg == "" {
		msg = en
	}
	where := rulePathRE.ReplaceAllString(path, "")
	names := map[string]string{"message": "Meldingen", "suggestion": "Forslaget", "active.from": "Perioden (fra)", "active.to": "Perioden (til)",
		"active": "Perioden", "scope.platforms": "Plattformene", "scope.kinds": "Typene innlegg", "severity": "Alvorsgraden"}
	for k, v := range names {
		if where == k || strings.HasPrefix(where, k+"[") || strings.HasPrefix(where, k+".") {
			return v + ": " + msg
		}
	}
	if strings.Contains(where, "words") || strings.Contains(where, "terms") || strings.Contains(where, "unless") || strings.Contains(where, "persons") {
		return "En ordliste: " + msg
	}
	return msg
}

func (s *Server) handleRuleSubmit() echo.HandlerFunc {
	return func(c echo.Context) error {
		cur, _, r, err := s.publishedRule(c)
		if err != nil {
			return err
		}
		edited, problems := readRule(c, *r)
		f := newRuleForm(cur, edited)
		f.From, f.To = c.FormValue("from"), c.FormValue("to")
		f.Units = c.FormValue("units")
		f.Sample = c.FormValue("sample")
		if k := c.FormValue("sample_kind"); kindNames[k] != "" {
			f.SampleKind = k
		}
		if p := c.FormValue("sample_platform"); platformNames[p] != "" {
			f.SamplePlatform = p
		}
		f.Problems = problems
		render := func(status int, msg string) error {
			allowEditorScript(c)
			return s.render(c, status, "rule", page{Title: "Regel " + r.ID, Nav: "rules", Error: msg, Data: f})
		}
		if len(problems) > 0 {
			return render(http.StatusUnprocessableEntity, "Regelen er ikke publisert. Rett dette og prøv igjen:")
		}
		ctx := c.Request().Context()
		doc, _, err := s.admin.WithRule(ctx, edited)
		if err != nil {
			return err
		}
		if c.FormValue("action") == "publish" {
			v, err := s.admin.ChangeRule(ctx, actorOf(claimsOf(c)), edited)
			if err == nil {
				return c.Redirect(http.StatusSeeOther, "/admin/rules/"+url.PathEscape(r.ID)+"?msg=published&v="+url.QueryEscape(v.Version))
			}
			if k := server.ErrorCode(err); k != server.EINVALID && k != server.EMALFORMED {
				return err
			}
			// Refused: show why, with the examples' results.
			if err := s.tryRule(c, &f, doc); err != nil {
				return err
			}
			if len(f.Problems) == 0 {
				f.Problems = []string{"Et eller flere av regelsettets eksempler gir ikke lenger det svaret de skal (se tabellen under). Endre regelen, eller be en utvikler oppdatere eksemplene under «Avansert»."}
			}
			f.Diff, _ = diffLines(string(cur.JSON), string(prepared(doc)))
			f.Tried = true
			return render(http.StatusUnprocessableEntity, "Regelen er ikke publisert, fordi:")
		}
		if err := s.tryRule(c, &f, doc); err != nil {
			return err
		}
		f.Diff, _ = diffLines(string(cur.JSON), string(prepared(doc)))
		f.Tried = true
		status, msg := http.StatusOK, ""
		if len(f.Problems) > 0 {
			status, msg = http.StatusUnprocessableEntity, "Slik kan regelen ikke publiseres:"
		}
		return render(status, msg)
	}
}

// prepared is doc as it would be stored (indented as PrepareBundle
// does), so the diff against the stored version shows only the change.
func prepared(doc []byte) []byte {
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return doc
	}
	json.Indent(&out, compact.Bytes(), "", "  ")
	out.WriteByte('\n')
	return out.Bytes()
}
