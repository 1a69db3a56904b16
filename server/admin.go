package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/rules"
)

// Admin makes the admin changes: bundle versions, publications and
// rollbacks, crisis mode, the organisation profile and the first run.
// Each change and the audit entries that record it commit in one
// transaction (RuleStore.Apply). A change runs on a context detached
// from the caller's (bounded by commitTimeout), so a client that
// disconnects midway can neither leave a change half made nor a made
// change unannounced: once asked for, it completes.
type Admin struct {
	Rules RuleStore
	Now   func() time.Time
	// Published is told of every committed publication (the HTTP layer
	// updates its cache and tells every event stream); may be nil.
	Published func(ctx context.Context, v *BundleVersion)
	// CrisisChanged is told of every committed crisis switch; may be nil.
	CrisisChanged func(ctx context.Context, c Crisis)
}

// commitTimeout bounds a commit and its announcement once they no longer
// follow the caller's context.
const commitTimeout = 30 * time.Second

func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
}

func adminEntry(actor Actor, now time.Time, action, bundle, reason string) audit.Entry {
	e := entry(actor, now, action, reason)
	e.Bundle = bundle
	return e
}

// CreateBundle validates a bundle document (its examples must pass) and
// stores it as a new, unpublished version.
func (a *Admin) CreateBundle(ctx context.Context, actor Actor, data []byte) (*BundleVersion, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	v, _, err := PrepareBundle(data)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	v.CreatedBy, v.CreatedAt = actor.Name, now
	if err := a.Rules.Apply(ctx, Change{Bundle: v, Record: []audit.Entry{adminEntry(actor, now, audit.ActionBundleCreated, v.Version, "")}}, now); err != nil {
		return nil, err
	}
	return v, nil
}

// Publish publishes a stored version (a rollback when it was published
// before) and announces it.
func (a *Admin) Publish(ctx context.Context, actor Actor, version string) (v *BundleVersion, rollback bool, err error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	v, err = a.Rules.FindBundle(ctx, version)
	if err != nil {
		return nil, false, err
	}
	// Versions were checked when stored; the engine may have changed since.
	b, err := rules.Parse(v.JSON)
	if err != nil {
		return nil, false, Errorf(EINVALID, "Version %s is no longer valid: %v", v.Version, err)
	}
	if ps := ExampleProblems(b); len(ps) > 0 {
		return nil, false, &Error{Code: EINVALID, Message: "The bundle's examples fail; it cannot be published.", Details: ps}
	}
	if cur, err := a.Rules.Published(ctx); err == nil && cur.Version == v.Version {
		return nil, false, Errorf(ECONFLICT, "Version %s is already the published one.", v.Version)
	}
	now := a.Now()
	rollback = !v.PublishedAt.IsZero()
	action := audit.ActionBundlePublished
	if rollback {
		action = audit.ActionBundleRollback
	}
	c := Change{Publish: &Publication{Version: v.Version, PublishedBy: actor.Name, PublishedAt: now, Rollback: rollback},
		Record: []audit.Entry{adminEntry(actor, now, action, v.Version, "")}}
	if err := a.Rules.Apply(ctx, c, now); err != nil {
		return nil, false, err
	}
	v.PublishedAt = now
	a.announce(ctx, v)
	return v, rollback, nil
}

func (a *Admin) announce(ctx context.Context, v *BundleVersion) {
	if a.Published != nil {
		a.Published(ctx, v)
	}
}

// CreateAndPublish stores a bundle document as a new version and
// publishes it, in one transaction: what the profile page and the rule
// editor do. reason says what changed (in the audit entries).
func (a *Admin) CreateAndPublish(ctx context.Context, actor Actor, data []byte, reason string) (*BundleVersion, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	v, _, err := PrepareBundle(data)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	v.CreatedBy, v.CreatedAt, v.PublishedAt = actor.Name, now, now
	c := Change{Bundle: v, Publish: &Publication{Version: v.Version, PublishedBy: actor.Name, PublishedAt: now},
		Record: []audit.Entry{adminEntry(actor, now, audit.ActionBundleCreated, v.Version, reason),
			adminEntry(actor, now, audit.ActionBundlePublished, v.Version, reason)}}
	if err := a.Rules.Apply(ctx, c, now); err != nil {
		return nil, err
	}
	a.announce(ctx, v)
	return v, nil
}

// SetCrisis switches crisis mode. message and team are stored as given;
// the caller sanitises them.
func (a *Admin) SetCrisis(ctx context.Context, actor Actor, active bool, message string, team []string) (Crisis, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	now := a.Now()
	cr := Crisis{Active: active, Message: message, Team: []string{}, UpdatedBy: actor.Name, UpdatedAt: now}
	if len(message) > audit.MaxReasonLen {
		return cr, Errorf(EINVALID, "message is longer than %d bytes.", audit.MaxReasonLen)
	}
	if len(team) > 500 {
		return cr, Errorf(EINVALID, "team has more than 500 members.")
	}
	for _, m := range team {
		if m != "" && len(m) <= audit.MaxFieldLen {
			cr.Team = append(cr.Team, m)
		}
	}
	action := audit.ActionCrisisOff
	if cr.Active {
		action = audit.ActionCrisisOn
	}
	if err := a.Rules.Apply(ctx, Change{Crisis: &cr, Record: []audit.Entry{adminEntry(actor, now, action, "", cr.Message)}}, now); err != nil {
		return cr, err
	}
	if a.CrisisChanged != nil {
		a.CrisisChanged(ctx, cr)
	}
	return cr, nil
}

// WithOrg returns the published bundle's document with org as its
// organisation section and the next version name; every other part is
// kept byte for byte (key order included, so the diff shows only the
// change).
func (a *Admin) WithOrg(ctx context.Context, org rules.Org) ([]byte, *BundleVersion, error) {
	cur, err := a.Rules.Published(ctx)
	if err != nil {
		return nil, nil, err
	}
	doc, err := a.NextDocument(ctx, cur.JSON)
	if err != nil {
		return nil, nil, err
	}
	org = NormalOrg(org)
	if old, err := rules.Parse(cur.JSON); err == nil && len(org.OwnDomains) > 0 {
		doc = moveExampleLinks(doc, old.Org.OwnDomains, org.OwnDomains)
	}
	doc, err = SetTopLevel(doc, "org", org)
	return doc, cur, err
}

var plainDomain = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)

// moveExampleLinks points the examples' links to a former own domain at
// the first new one: the bundle's examples link to the organisation's own
// site (or link.own_site_missing would fire on each), so when the site
// changes they follow it.
func moveExampleLinks(doc []byte, old, now []string) []byte {
	start, end, ok := topLevel(doc, "examples")
	to := strings.TrimPrefix(strings.ToLower(now[0]), "www.")
	if !ok || !plainDomain.MatchString(to) {
		return doc
	}
	ex := doc[start:end]
	for _, d := range old {
		d = strings.TrimPrefix(strings.ToLower(d), "www.")
		if !plainDomain.MatchString(d) || slices.Contains(now, d) {
			continue
		}
		for _, pre := range []string{"//", "//www."} {
			ex = bytes.ReplaceAll(ex, []byte(pre+d+"/"), []byte(pre+to+"/"))
			ex = bytes.ReplaceAll(ex, []byte(pre+d+`"`), []byte(pre+to+`"`))
			ex = bytes.ReplaceAll(ex, []byte(pre+d+" "), []byte(pre+to+" "))
		}
	}
	return append(append(append([]byte{}, doc[:start]...), ex...), doc[end:]...)
}

// NextDocument returns doc with the next free version name.
func (a *Admin) NextDocument(ctx context.Context, doc []byte) ([]byte, error) {
	list, err := a.Rules.ListBundles(ctx)
	if err != nil {
		return nil, err
	}
	return SetTopLevel(doc, "version", NextVersion(a.Now(), list))
}

// ChangeProfile publishes the published bundle with org as its
// organisation section, as a new version.
func (a *Admin) ChangeProfile(ctx context.Context, actor Actor, org rules.Org) (*BundleVersion, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	doc, _, err := a.WithOrg(ctx, org)
	if err != nil {
		return nil, err
	}
	return a.CreateAndPublish(ctx, actor, doc, "organisasjonsprofil")
}

// Setup is the first run: it creates the first accounts (hashed
// passwords set) and publishes the organisation profile as a new
// version, in one transaction, only while there is no account at all
// (ECONFLICT otherwise, also when several requests race).
func (a *Admin) Setup(ctx context.Context, actor Actor, users []*User, org rules.Org) (*BundleVersion, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	if len(users) == 0 {
		return nil, Errorf(EINVALID, "The first run needs an admin account.")
	}
	seen := map[string]bool{}
	for _, u := range users {
		if err := ValidName(u.Name); err != nil {
			return nil, err
		}
		if err := ValidRoles(u.Roles); err != nil {
			return nil, err
		}
		if seen[u.Name] {
			return nil, Errorf(EINVALID, "Two accounts are called %q.", u.Name)
		}
		seen[u.Name] = true
	}
	doc, _, err := a.WithOrg(ctx, org)
	if err != nil {
		return nil, err
	}
	v, _, err := PrepareBundle(doc)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	v.CreatedBy, v.CreatedAt, v.PublishedAt = actor.Name, now, now
	var record []audit.Entry
	for _, u := range users {
		u.CreatedAt = now
		record = append(record, entry(actor, now, audit.ActionAccountCreated,
			fmt.Sprintf("%s: roller %s, enhet %q (første oppstart)", u.Name, strings.Join(u.Roles, ", "), u.Unit)))
	}
	record = append(record,
		adminEntry(actor, now, audit.ActionBundleCreated, v.Version, "organisasjonsprofil (første oppstart)"),
		adminEntry(actor, now, audit.ActionBundlePublished, v.Version, "organisasjonsprofil (første oppstart)"))
	c := Change{FirstUsers: users, Bundle: v, Publish: &Publication{Version: v.Version, PublishedBy: actor.Name, PublishedAt: now}, Record: record}
	if err := a.Rules.Apply(ctx, c, now); err != nil {
		return nil, err
	}
	a.announce(ctx, v)
	return v, nil
}

// NormalOrg returns org with empty lists instead of nil ones and blank
// entries dropped, as the bundle writes them.
func NormalOrg(o rules.Org) rules.Org {
	clean := func(l []string) []string {
		out := []string{}
		for _, s := range l {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	o.Name = strings.TrimSpace(o.Name)
	o.OwnDomains, o.AllowedPhones, o.AllowedAccounts = clean(o.OwnDomains), clean(o.AllowedPhones), clean(o.AllowedAccounts)
	o.AllowedAddresses, o.BlockedDomains, o.CrisisTeam = clean(o.AllowedAddresses), clean(o.BlockedDomains), clean(o.CrisisTeam)
	o.Units = clean(o.Units)
	if len(o.Units) == 0 {
		o.Units = nil
	}
	o.OrgNumber, o.PostalAddress, o.VisitingAddress = strings.TrimSpace(o.OrgNumber), strings.TrimSpace(o.PostalAddress), strings.TrimSpace(o.VisitingAddress)
	return o
}

// NextVersion names the version after existing: "YYYY-MM-DD.N".
func NextVersion(now time.Time, existing []*BundleVersion) string {
	day := now.UTC().Format(time.DateOnly)
	n := 1
	for _, v := range existing {
		if rest, ok := strings.CutPrefix(v.Version, day+"."); ok {
			if k, err := strconv.Atoi(rest); err == nil && k >= n {
				n = k + 1
			}
		}
	}
	return fmt.Sprintf("%s.%d", day, n)
}

// SetTopLevel returns the JSON object doc with the member key set to
// value (appended when absent); the rest of doc is kept byte for byte.
func SetTopLevel(doc []byte, key string, value any) ([]byte, error) {
	val, err := marshalIndent(value, "  ")
	if err != nil {
		return nil, err
	}
	if !json.Valid(doc) {
		return nil, Errorf(EMALFORMED, "The bundle is not valid JSON.")
	}
	if start, end, ok := topLevel(doc, key); ok {
		return append(append(append([]byte{}, doc[:start]...), val...), doc[end:]...), nil
	}
	i := bytes.IndexByte(doc, '{')
	if i < 0 {
		return nil, Errorf(EMALFORMED, "The bundle is not a JSON object.")
	}
	kj, _ := json.Marshal(key)
	member := append(append(append([]byte("\n  "), kj...), ": "...), val...)
	member = append(member, ',')
	out := append(append(append([]byte{}, doc[:i+1]...), member...), doc[i+1:]...)
	return out, nil
}

// topLevel returns where the value of the object doc's member key is.
func topLevel(doc []byte, key string) (start, end int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, 0, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, 0, false
		}
		k, _ := t.(string)
		s := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, false
		}
		e := int(dec.InputOffset())
		if k != key {
			continue
		}
		for s < e && (doc[s] == ':' || doc[s] == ' ' || doc[s] == '\t' || doc[s] == '\n' || doc[s] == '\r') {
			s++
		}
		return s, e, true
	}
	return 0, 0, false
}

// marshalIndent is json.MarshalIndent without HTML escaping (a bundle is
// not HTML; «&» stays «&» so diffs show what was typed).
func marshalIndent(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// SetRule returns the bundle document doc with the rule whose id is
// r.ID replaced by r; every other byte is kept. ENOTFOUND when doc has
// no such rule.
func SetRule(doc []byte, r rules.Rule) ([]byte, error) {
	start, end, ok := topLevel(doc, "rules")
	if !ok {
		return nil, Errorf(EMALFORMED, "The bundle has no rules.")
	}
	dec := json.NewDecoder(bytes.NewReader(doc[start:end]))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, Errorf(EMALFORMED, "The bundle's rules are not a list.")
	}
	for dec.More() {
		s := int(dec.InputOffset())
		var one struct {
			ID string `json:"id"`
		}
		if err := dec.Decode(&one); err != nil {
			return nil, Errorf(EMALFORMED, "The bundle is not valid JSON: %v.", err)
		}
		e := int(dec.InputOffset())
		if one.ID != r.ID {
			continue
		}
		sub := doc[start:end]
		for s < e && (sub[s] == ',' || sub[s] == ' ' || sub[s] == '\t' || sub[s] == '\n' || sub[s] == '\r') {
			s++
		}
		val, err := marshalIndent(r, "    ")
		if err != nil {
			return nil, err
		}
		s, e = start+s, start+e
		return append(append(append([]byte{}, doc[:s]...), val...), doc[e:]...), nil
	}
	return nil, Errorf(ENOTFOUND, "The bundle has no rule %q.", r.ID)
}

// WithRule returns the published bundle's document with r in place of
// the rule of the same id and the next version name, and the published
// version.
func (a *Admin) WithRule(ctx context.Context, r rules.Rule) ([]byte, *BundleVersion, error) {
	cur, err := a.Rules.Published(ctx)
	if err != nil {
		return nil, nil, err
	}
	doc, err := a.NextDocument(ctx, cur.JSON)
	if err != nil {
		return nil, nil, err
	}
	doc, err = SetRule(doc, r)
	return doc, cur, err
}

// ChangeRule publishes the published bundle with r in place of the rule
// of the same id, as a new version; refused (EINVALID, with every
// problem) when the bundle would be invalid or its examples fail.
func (a *Admin) ChangeRule(ctx context.Context, actor Actor, r rules.Rule) (*BundleVersion, error) {
	doc, _, err := a.WithRule(ctx, r)
	if err != nil {
		return nil, err
	}
	return a.CreateAndPublish(ctx, actor, doc, "regel "+r.ID)
}
