package server_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/server/sqlite"
	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/rules"
)

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "postvakt.db"))
	db.Signer = storetest.Key
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newAdmin returns the service over a store that has the built-in bundle
// published, and the list of what it announced.
func newAdmin(t *testing.T, rs server.RuleStore) (*server.Admin, *[]string) {
	t.Helper()
	ctx := context.Background()
	v, _, err := server.PrepareBundle(rules.BuiltinJSON())
	if err != nil {
		t.Fatal(err)
	}
	v.CreatedBy, v.CreatedAt = "postvakt", storetest.T0
	if err := rs.CreateBundle(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := rs.Publish(ctx, server.Publication{Version: v.Version, PublishedBy: "postvakt", PublishedAt: storetest.T0}); err != nil {
		t.Fatal(err)
	}
	var told []string
	a := &server.Admin{Rules: rs, Now: func() time.Time { return storetest.T0.Add(time.Hour) },
		Published: func(ctx context.Context, v *server.BundleVersion) {
			if ctx.Err() != nil {
				t.Errorf("announced on a dead context: %v", ctx.Err())
			}
			told = append(told, "bundle "+v.Version)
		},
		CrisisChanged: func(ctx context.Context, c server.Crisis) {
			if ctx.Err() != nil {
				t.Errorf("announced on a dead context: %v", ctx.Err())
			}
			told = append(told, "crisis")
		}}
	return a, &told
}

// A client that disconnected (its request's context cancelled) still
// gets its change committed, with its entry, and announced.
func TestAdminCancelledContextCommits(t *testing.T) {
	db := openStore(t)
	a, told := newAdmin(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	actor := server.Actor{Name: "kari"}
	org := rules.Org{Name: "Fjordvik kommune", OwnDomains: []string{"fjordvik.kommune.no"}}
	v, err := a.ChangeProfile(ctx, actor, org)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetCrisis(ctx, actor, true, "Flom", []string{"kari"}); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	if p, err := db.Published(bg); err != nil || p.Version != v.Version {
		t.Fatalf("published %v, %v; want %s", p, err, v.Version)
	}
	if cr, _ := db.Crisis(bg); !cr.Active {
		t.Fatal("crisis not on")
	}
	rs, _ := db.List(bg, server.AuditFilter{})
	var actions []string
	for _, r := range rs {
		actions = append(actions, r.Action)
	}
	want := []string{audit.ActionCrisisOn, audit.ActionBundlePublished, audit.ActionBundleCreated}
	if len(actions) != 3 || actions[0] != want[0] || actions[1] != want[1] || actions[2] != want[2] {
		t.Fatalf("entries %v, want %v", actions, want)
	}
	if len(*told) != 2 || (*told)[0] != "bundle "+v.Version {
		t.Fatalf("announced %v", *told)
	}
}

// failingLog makes the change's transaction fail as a failing audit
// append would; nothing may be announced.
type failingApply struct{ server.RuleStore }

func (f failingApply) Apply(ctx context.Context, c server.Change, now time.Time) error {
	return context.DeadlineExceeded
}

func TestAdminFailedChangeIsNotAnnounced(t *testing.T) {
	db := openStore(t)
	a, told := newAdmin(t, failingApply{db})
	if _, err := a.ChangeProfile(context.Background(), server.Actor{Name: "kari"}, rules.Org{Name: "X", OwnDomains: []string{"x.no"}}); err == nil {
		t.Fatal("no error")
	}
	if _, err := a.SetCrisis(context.Background(), server.Actor{Name: "kari"}, true, "", nil); err == nil {
		t.Fatal("no error")
	}
	if len(*told) != 0 {
		t.Fatalf("announced %v", *told)
	}
}

// The profile change keeps the rest of the bundle byte for byte.
func TestWithOrgKeepsTheRest(t *testing.T) {
	db := openStore(t)
	a, _ := newAdmin(t, db)
	doc, cur, err := a.WithOrg(context.Background(), rules.Org{Name: "Fjordvik kommune", OwnDomains: []string{"fjordvik.kommune.no"}, OrgNumber: "974760673"})
	if err != nil {
		t.Fatal(err)
	}
	nb, err := rules.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := rules.Parse(cur.JSON)
	if nb.Org.Name != "Fjordvik kommune" || nb.Org.OrgNumber != "974760673" || len(nb.Rules) != len(ob.Rules) || nb.Version == ob.Version {
		t.Fatalf("org %+v, %d rules (want %d), version %s", nb.Org, len(nb.Rules), len(ob.Rules), nb.Version)
	}
}

func TestValidOrgNumber(t *testing.T) {
	for s, want := range map[string]bool{"974760673": true, "974 760 673": true, "974760674": false, "12345678": false, "abcdefghi": false} {
		if got := rules.ValidOrgNumber(s); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}

// SetRule replaces one rule and keeps the rest of the document.
func TestSetRule(t *testing.T) {
	doc := rules.BuiltinJSON()
	b, _ := rules.Parse(doc)
	r := b.Rules[3]
	r.Severity = "block"
	out, err := server.SetRule(doc, r)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := rules.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if nb.Rules[3].Severity != "block" || nb.Rules[2].Severity != b.Rules[2].Severity || len(nb.Rules) != len(b.Rules) {
		t.Fatalf("rule 3: %s", nb.Rules[3].Severity)
	}
	// Only the rule's lines differ.
	r.Severity = b.Rules[3].Severity
	back, _ := server.SetRule(out, r)
	if bytes.Count(back, []byte("\n")) > bytes.Count(doc, []byte("\n"))+5 {
		t.Fatal("the round trip grew the document")
	}
	if _, err := server.SetRule(doc, rules.Rule{ID: "no.such"}); server.ErrorCode(err) != server.ENOTFOUND {
		t.Fatalf("unknown rule: %v", err)
	}
}
