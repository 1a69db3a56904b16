// Package storetest is the contract test suite every Postvakt store
// (server/sqlite, server/postgres) must pass. A store's own tests call Run
// with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

// Store is everything a Postvakt store implements.
type Store interface {
	server.UserStore
	server.RuleStore
	server.AuditLog
	server.LoginLimiter
}

// Key is the checkpoint key the opener must give the store; tests verify
// checkpoints with its public half.
var Key = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// T0 is the time the suite pretends it is.
var T0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// Run runs the suite; open returns a fresh store signing with Key.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("RefreshTokens", func(t *testing.T) { testRefresh(t, open(t)) })
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open(t)) })
	t.Run("LoginLimiter", func(t *testing.T) { testLimiter(t, open(t)) })
	t.Run("Bundles", func(t *testing.T) { testBundles(t, open(t)) })
	t.Run("Crisis", func(t *testing.T) { testCrisis(t, open(t)) })
	t.Run("Apply", func(t *testing.T) { testApply(t, open(t)) })
	t.Run("ApplyFirstRace", func(t *testing.T) { testApplyFirstRace(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
	t.Run("AuditConcurrent", func(t *testing.T) { testAuditConcurrent(t, open(t)) })
	t.Run("AuditPrune", func(t *testing.T) { testAuditPrune(t, open(t)) })
	t.Run("AuditClean", func(t *testing.T) { testAuditClean(t, open(t)) })
	t.Run("AuditTree", func(t *testing.T) { testAuditTree(t, open(t)) })
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := server.ErrorCode(err); got != code {
		t.Fatalf("%s: got code %q (%v), want %q", what, got, err, code)
	}
}

func testUsers(t *testing.T, s Store) {
	ctx := context.Background()
	u := &server.User{Name: "kari", Unit: "kommunikasjon", Roles: []string{"staff", "admin"}, PasswordHash: []byte("x"), CreatedAt: T0}
	wantCode(t, "CreateUser", s.CreateUser(ctx, u), "")
	if u.ID == 0 {
		t.Fatal("CreateUser did not set ID")
	}
	wantCode(t, "CreateUser again", s.CreateUser(ctx, &server.User{Name: "kari", Roles: []string{"staff"}, PasswordHash: []byte("y"), CreatedAt: T0}), server.ECONFLICT)
	got, err := s.FindUserByName(ctx, "kari")
	wantCode(t, "FindUserByName", err, "")
	if got.ID != u.ID || got.Unit != u.Unit || fmt.Sprint(got.Roles) != "[staff admin]" || !got.HasRole("admin") || !got.CreatedAt.Equal(T0) {
		t.Errorf("FindUserByName = %+v", got)
	}
	_, err = s.FindUserByName(ctx, "' OR 1=1 --")
	wantCode(t, "FindUserByName unknown", err, server.ENOTFOUND)
	_, err = s.FindUserByID(ctx, u.ID)
	wantCode(t, "FindUserByID", err, "")
}

func testRefresh(t *testing.T, s Store) {
	ctx := context.Background()
	u := &server.User{Name: "ola", Roles: []string{"staff"}, PasswordHash: []byte("x"), CreatedAt: T0}
	wantCode(t, "CreateUser", s.CreateUser(ctx, u), "")
	mk := func(hash, fam string) {
		t.Helper()
		wantCode(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &server.RefreshToken{Hash: hash, Family: fam, UserID: u.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), "")
	}
	mk("a1", "A")
	got, err := s.UseRefreshToken(ctx, "a1", T0.Add(time.Minute))
	wantCode(t, "UseRefreshToken", err, "")
	if got.Family != "A" || got.UserID != u.ID {
		t.Errorf("UseRefreshToken = %+v", got)
	}
	mk("a2", "A")
	_, err = s.UseRefreshToken(ctx, "a1", T0.Add(time.Minute))
	wantCode(t, "reuse", err, server.ECONFLICT)
	_, err = s.UseRefreshToken(ctx, "a2", T0.Add(time.Minute))
	wantCode(t, "successor after reuse", err, server.ECONFLICT)
	_, err = s.UseRefreshToken(ctx, "nope", T0)
	wantCode(t, "unknown", err, server.EUNAUTHORIZED)
	mk("b1", "B")
	_, err = s.UseRefreshToken(ctx, "b1", T0.Add(2*time.Hour))
	wantCode(t, "expired", err, server.EUNAUTHORIZED)
	mk("c1", "C")
	wantCode(t, "RevokeFamily", s.RevokeFamily(ctx, "C"), "")
	_, err = s.UseRefreshToken(ctx, "c1", T0)
	wantCode(t, "revoked", err, server.ECONFLICT)
}

func testBundles(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.Published(ctx)
	wantCode(t, "Published on empty store", err, server.ENOTFOUND)
	for i, v := range []string{"v1", "v2"} {
		b := &server.BundleVersion{Version: v, JSON: []byte(`{"version":"` + v + `"}`), ETag: `"` + v + `"`, Rules: i + 1, CreatedBy: "kari", CreatedAt: T0.Add(time.Duration(i) * time.Minute)}
		wantCode(t, "CreateBundle", s.CreateBundle(ctx, b), "")
	}
	wantCode(t, "CreateBundle again", s.CreateBundle(ctx, &server.BundleVersion{Version: "v1", JSON: []byte("{}"), ETag: `"x"`, CreatedBy: "kari", CreatedAt: T0}), server.ECONFLICT)
	wantCode(t, "Publish unknown", s.Publish(ctx, server.Publication{Version: "v9", PublishedBy: "kari", PublishedAt: T0}), server.ENOTFOUND)
	_, err = s.PublishFirst(ctx, server.Publication{Version: "v9", PublishedBy: "kari", PublishedAt: T0})
	wantCode(t, "PublishFirst unknown", err, server.ENOTFOUND)
	// Eight processes starting together publish once. The reads first
	// open the pool's connections, so that the eight really overlap.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); s.ListBundles(ctx) }()
	}
	wg.Wait()
	var mu sync.Mutex
	firsts := 0
	start := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := s.PublishFirst(ctx, server.Publication{Version: "v2", PublishedBy: "kari", PublishedAt: T0.Add(time.Hour)})
			wantCode(t, "PublishFirst v2", err, "")
			if ok {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if firsts != 1 {
		t.Errorf("PublishFirst published %d times, want once", firsts)
	}
	p, err := s.Published(ctx)
	wantCode(t, "Published", err, "")
	if p.Version != "v2" || string(p.JSON) != `{"version":"v2"}` || p.ETag != `"v2"` || !p.PublishedAt.Equal(T0.Add(time.Hour)) {
		t.Errorf("Published = %+v", p)
	}
	wantCode(t, "rollback to v1", s.Publish(ctx, server.Publication{Version: "v1", PublishedBy: "kari", PublishedAt: T0.Add(2 * time.Hour), Rollback: true}), "")
	if p, _ := s.Published(ctx); p == nil || p.Version != "v1" {
		t.Errorf("Published after rollback = %+v, want v1", p)
	}
	list, err := s.ListBundles(ctx)
	wantCode(t, "ListBundles", err, "")
	if len(list) != 2 || list[0].Version != "v2" || list[1].Version != "v1" || list[0].JSON != nil || list[1].Rules != 1 {
		t.Errorf("ListBundles = %+v", list)
	}
	pubs, err := s.Publications(ctx)
	wantCode(t, "Publications", err, "")
	if len(pubs) != 2 || pubs[0].Version != "v1" || !pubs[0].Rollback || pubs[1].Version != "v2" {
		t.Errorf("Publications = %+v", pubs)
	}
	_, err = s.FindBundle(ctx, "v1'; DROP TABLE bundles; --")
	wantCode(t, "FindBundle unknown", err, server.ENOTFOUND)
}

func testCrisis(t *testing.T, s Store) {
	ctx := context.Background()
	c, err := s.Crisis(ctx)
	wantCode(t, "Crisis", err, "")
	if c.Active {
		t.Errorf("new store in crisis: %+v", c)
	}
	want := server.Crisis{Active: true, Message: "Flom", Team: []string{"kari"}, UpdatedBy: "kari", UpdatedAt: T0}
	wantCode(t, "SetCrisis", s.SetCrisis(ctx, want), "")
	c, _ = s.Crisis(ctx)
	if fmt.Sprint(c) != fmt.Sprint(want) {
		t.Errorf("Crisis = %+v, want %+v", c, want)
	}
}

// Entry returns a valid entry with id number i.
func Entry(i int, user, action string, rules ...string) audit.Entry {
	e := audit.Entry{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), User: user, Unit: "oppvekst", Platform: "facebook",
		At: T0.Add(time.Duration(i) * 24 * time.Hour).Format(time.RFC3339), Bundle: "v1", Action: action, Findings: []audit.Finding{}}
	for _, r := range rules {
		e.Findings = append(e.Findings, audit.Finding{Rule: r, Severity: "warn", Excerpt: "9*****78"})
	}
	return e
}

func testAudit(t *testing.T, s Store) {
	ctx := context.Background()
	batch := []audit.Entry{
		Entry(1, "kari", "published"),
		Entry(2, "ola", "overridden", "pii.phone"),
		Entry(2, "ola", "overridden", "pii.phone"), // a duplicate within the batch
		Entry(3, "kari", "blocked", "pii.national_id", "pii.phone"),
	}
	res, err := s.Append(ctx, batch, T0)
	wantCode(t, "Append", err, "")
	if res.Checkpoint = ""; res != (server.AppendResult{Accepted: 3, Duplicates: 1}) {
		t.Errorf("Append = %+v, want 3 accepted, 1 duplicate", res)
	}
	for i := 0; i < 2; i++ {
		res, err = s.Append(ctx, batch, T0.Add(time.Minute))
		wantCode(t, "Append again", err, "")
		if res.Checkpoint = ""; res != (server.AppendResult{Accepted: 0, Duplicates: 4}) {
			t.Errorf("Append again = %+v, want 0 accepted, 4 duplicates", res)
		}
	}
	// A browser's report that its full queue discarded entries.
	dropped := Entry(4, "per", audit.ActionDropped)
	dropped.Dropped = 7
	res, _ = s.Append(ctx, []audit.Entry{dropped}, T0.Add(time.Hour))
	if res.Accepted != 1 {
		t.Errorf("Append fourth = %+v", res)
	}

	count := func(f server.AuditFilter) []int64 {
		t.Helper()
		rs, err := s.List(ctx, f)
		wantCode(t, "List", err, "")
		seqs := []int64{}
		for _, r := range rs {
			seqs = append(seqs, r.Seq)
		}
		return seqs
	}
	const meta = `x' OR '1'='1' --; DROP TABLE audit; "%_\`
	for _, tc := range []struct {
		name string
		f    server.AuditFilter
		want string
	}{
		{"all", server.AuditFilter{}, "[4 3 2 1]"},
		{"user", server.AuditFilter{User: "kari"}, "[3 1]"},
		{"unit", server.AuditFilter{Unit: "oppvekst"}, "[4 3 2 1]"},
		{"platform", server.AuditFilter{Platform: "x"}, "[]"},
		{"action", server.AuditFilter{Action: "overridden"}, "[2]"},
		{"rule", server.AuditFilter{Rule: "pii.phone"}, "[3 2]"},
		// Times filter on the received time, not the client's at.
		{"from", server.AuditFilter{From: T0.Add(30 * time.Minute)}, "[4]"},
		{"to", server.AuditFilter{To: T0.Add(30 * time.Minute)}, "[3 2 1]"},
		{"page", server.AuditFilter{Limit: 2}, "[4 3]"},
		{"next page", server.AuditFilter{Limit: 2, Before: 3}, "[2 1]"},
		// SQL metacharacters are values, never syntax.
		{"meta user", server.AuditFilter{User: meta}, "[]"},
		{"meta unit", server.AuditFilter{Unit: meta}, "[]"},
		{"meta platform", server.AuditFilter{Platform: meta}, "[]"},
		{"meta action", server.AuditFilter{Action: meta}, "[]"},
		{"meta rule", server.AuditFilter{Rule: meta}, "[]"},
	} {
		if got := fmt.Sprint(count(tc.f)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	r, err := s.Get(ctx, 2)
	wantCode(t, "Get", err, "")
	if r.ID != batch[1].ID || r.User != "ola" || len(r.Findings) != 1 || r.Findings[0].Excerpt != "9*****78" || r.Received != T0.Format(time.RFC3339Nano) {
		t.Errorf("Get(2) = %+v", r)
	}
	if r, err := s.Get(ctx, 4); err != nil || r.Dropped != 7 || r.Action != audit.ActionDropped {
		t.Errorf("Get(4) = %+v, %v; want the dropped report with its count 7", r, err)
	}
	_, err = s.Get(ctx, 99)
	wantCode(t, "Get(99)", err, server.ENOTFOUND)

	var seqs []int64
	wantCode(t, "Each", s.Each(ctx, server.AuditFilter{}, func(r *audit.Record) error { seqs = append(seqs, r.Seq); return nil }), "")
	if fmt.Sprint(seqs) != "[1 2 3 4]" {
		t.Errorf("Each visited %v", seqs)
	}
	weeks, err := s.RuleWeeks(ctx, server.AuditFilter{})
	wantCode(t, "RuleWeeks", err, "")
	if got := fmt.Sprint(weeks); got != "[{2026-W47 pii.national_id 1} {2026-W47 pii.phone 2}]" {
		t.Errorf("RuleWeeks = %s", got)
	}
	cps, err := s.Checkpoints(ctx)
	wantCode(t, "Checkpoints", err, "")
	if len(cps) != 2 || cps[0].Size != 3 || cps[1].Size != 4 {
		t.Errorf("Checkpoints = %+v, want sizes 3 and 4", cps)
	}
	rep, err := server.VerifyLog(ctx, s, Key.Public().(ed25519.PublicKey))
	wantCode(t, "VerifyLog", err, "")
	if !rep.OK || rep.Entries != 4 || rep.Checkpoints != 2 {
		t.Errorf("VerifyLog = %+v", rep)
	}
}

// testAuditConcurrent appends from several goroutines at once, with
// overlapping ids, and checks that the chain stays whole: one writer at a
// time extends the head, and every id is stored once.
func testAuditConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	const workers, batches, size = 4, 10, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total server.AppendResult
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				var es []audit.Entry
				for i := 0; i < size; i++ {
					// Workers 0 and 1 send the same ids, as a retry would.
					es = append(es, Entry(1+(w/2)*1000+b*size+i, "kari", "published"))
				}
				res, err := s.Append(ctx, es, T0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total.Accepted += res.Accepted
				total.Duplicates += res.Duplicates
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	want := server.AppendResult{Accepted: workers / 2 * batches * size, Duplicates: workers / 2 * batches * size}
	if total != want {
		t.Errorf("concurrent appends: %+v, want %+v", total, want)
	}
	rep, err := server.VerifyLog(ctx, s, Key.Public().(ed25519.PublicKey))
	wantCode(t, "VerifyLog", err, "")
	if !rep.OK || rep.Entries != int64(want.Accepted) {
		t.Errorf("VerifyLog after concurrent appends = %+v", rep)
	}
}

// testAuditPrune appends on three days, prunes what was received before
// the third, and checks that the pruned records keep only what
// audit.Record.Prune keeps, that the chain still verifies, and that a
// resent entry is still a duplicate.
func testAuditPrune(t *testing.T, s Store) {
	ctx := context.Background()
	day := 24 * time.Hour
	for d := range 3 {
		es := []audit.Entry{Entry(10*d+1, "kari", "overridden", "pii.phone"), Entry(10*d+2, "ola", "blocked", "pii.national_id")}
		es[0].Reason, es[0].Host, es[0].TextSHA256 = "Godkjent av leder", "www.facebook.com", audit.TextHash("Ring 91234578")
		if _, err := s.Append(ctx, es, T0.Add(time.Duration(d)*day)); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.Get(ctx, 1)
	wantCode(t, "Get(1)", err, "")
	res, err := server.PruneLog(ctx, s, T0.Add(day+time.Hour), T0.Add(3*day), "oppbevaringstid")
	wantCode(t, "Prune", err, "")
	if res != (server.PruneResult{Pruned: 4}) {
		t.Errorf("Prune = %+v, want 4 pruned", res)
	}
	for _, tc := range []struct {
		seq    int64
		pruned bool
	}{{1, true}, {2, true}, {3, true}, {4, true}, {5, false}, {6, false}} {
		r, err := s.Get(ctx, tc.seq)
		wantCode(t, "Get", err, "")
		if r.Pruned != tc.pruned || (r.User == "") != tc.pruned || r.Digest == "" {
			t.Errorf("record %d: pruned %v, user %q, digest %q; want pruned %v", tc.seq, r.Pruned, r.User, r.Digest, tc.pruned)
		}
	}
	want := *before
	want.Prune()
	if got, _ := s.Get(ctx, 1); fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", want) {
		t.Errorf("pruned record\n got %+v\nwant %+v", *got, want)
	}
	if rs, _ := s.List(ctx, server.AuditFilter{User: "kari"}); len(rs) != 1 || rs[0].Seq != 5 {
		t.Errorf("List by user after pruning: %d records, want only the unpruned one", len(rs))
	}
	res, err = server.PruneLog(ctx, s, T0.Add(day+time.Hour), T0.Add(3*day), "oppbevaringstid")
	wantCode(t, "Prune again", err, "")
	if res != (server.PruneResult{}) {
		t.Errorf("Prune again = %+v, want nothing", res)
	}
	if res, _ := s.Append(ctx, []audit.Entry{Entry(1, "kari", "overridden", "pii.phone")}, T0.Add(3*day)); res.Duplicates != 1 || res.Accepted != 0 {
		t.Errorf("resending a pruned entry: %+v, want a duplicate", res)
	}
	rep, err := server.VerifyLog(ctx, s, Key.Public().(ed25519.PublicKey))
	wantCode(t, "VerifyLog", err, "")
	if !rep.OK || rep.Entries != 8 || rep.Pruned != 4 || rep.Checkpoints != 5 {
		t.Errorf("VerifyLog after pruning = %+v", rep)
	}
}

// testAccounts: updating an account replaces its stamp and ends its
// sessions and refresh tokens; reset codes work once.
func testAccounts(t *testing.T, s Store) {
	ctx := context.Background()
	u := &server.User{Name: "kari", Unit: "k", Roles: []string{"admin"}, PasswordHash: []byte("x"), CreatedAt: T0}
	other := &server.User{Name: "ola", Roles: []string{"staff"}, PasswordHash: []byte("x"), CreatedAt: T0}
	wantCode(t, "CreateUser", s.CreateUser(ctx, u), "")
	wantCode(t, "CreateUser", s.CreateUser(ctx, other), "")
	if u.Stamp == "" || u.Stamp == other.Stamp {
		t.Fatalf("stamps %q and %q, want two different ones", u.Stamp, other.Stamp)
	}
	for _, x := range []*server.User{u, other} {
		wantCode(t, "CreateSession", s.CreateSession(ctx, &server.Session{Hash: "s-" + x.Name, UserID: x.ID, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), "")
		wantCode(t, "CreateRefreshToken", s.CreateRefreshToken(ctx, &server.RefreshToken{Hash: "r-" + x.Name, Family: "F" + x.Name, UserID: x.ID, Stamp: x.Stamp, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}), "")
	}
	se, err := s.FindSession(ctx, "s-kari", T0.Add(time.Minute))
	wantCode(t, "FindSession", err, "")
	if se.UserID != u.ID || !se.ExpiresAt.Equal(T0.Add(time.Hour)) {
		t.Errorf("FindSession = %+v", se)
	}
	_, err = s.FindSession(ctx, "s-kari", T0.Add(2*time.Hour))
	wantCode(t, "FindSession expired", err, server.EUNAUTHORIZED)

	old := u.Stamp
	u.Roles, u.Disabled, u.Unit = []string{"staff", "compliance"}, true, "arkiv"
	wantCode(t, "UpdateUser", s.UpdateUser(ctx, u, []audit.Entry{Entry(1, "adm", audit.ActionAccountDisabled)}, T0), "")
	if u.Stamp == old || u.Stamp == "" {
		t.Errorf("UpdateUser kept the stamp %q", old)
	}
	got, err := s.FindUserByID(ctx, u.ID)
	wantCode(t, "FindUserByID", err, "")
	if !got.Disabled || got.Unit != "arkiv" || fmt.Sprint(got.Roles) != "[staff compliance]" || got.Stamp != u.Stamp {
		t.Errorf("after UpdateUser: %+v", got)
	}
	_, err = s.FindSession(ctx, "s-kari", T0.Add(time.Minute))
	wantCode(t, "session after UpdateUser", err, server.EUNAUTHORIZED)
	_, err = s.UseRefreshToken(ctx, "r-kari", T0.Add(time.Minute))
	wantCode(t, "refresh token after UpdateUser", err, server.ECONFLICT)
	// The other account's are untouched.
	_, err = s.FindSession(ctx, "s-ola", T0.Add(time.Minute))
	wantCode(t, "other's session", err, "")
	rt, err := s.UseRefreshToken(ctx, "r-ola", T0.Add(time.Minute))
	wantCode(t, "other's refresh token", err, "")
	if rt.Stamp != other.Stamp {
		t.Errorf("refresh token stamp %q, want %q", rt.Stamp, other.Stamp)
	}
	wantCode(t, "DeleteSession", s.DeleteSession(ctx, "s-ola"), "")
	_, err = s.FindSession(ctx, "s-ola", T0.Add(time.Minute))
	wantCode(t, "session after DeleteSession", err, server.EUNAUTHORIZED)
	wantCode(t, "UpdateUser unknown", s.UpdateUser(ctx, &server.User{ID: 9999, Roles: []string{"staff"}, PasswordHash: []byte("x")},
		[]audit.Entry{Entry(2, "adm", audit.ActionAccountDisabled)}, T0), server.ENOTFOUND)
	// The change and its entry commit together: one entry, not the
	// refused change's.
	recs, err := s.List(ctx, server.AuditFilter{})
	wantCode(t, "List", err, "")
	if len(recs) != 1 || recs[0].Action != audit.ActionAccountDisabled || recs[0].ID != Entry(1, "adm", "").ID {
		t.Errorf("audit log after UpdateUser: %+v, want the one entry of the change that was made", recs)
	}

	wantCode(t, "SetLastLogin", s.SetLastLogin(ctx, other.ID, T0.Add(time.Minute)), "")
	us, err := s.ListUsers(ctx)
	wantCode(t, "ListUsers", err, "")
	if len(us) != 2 || us[0].Name != "kari" || us[1].Name != "ola" || !us[1].LastLogin.Equal(T0.Add(time.Minute)) || !us[0].LastLogin.IsZero() {
		t.Errorf("ListUsers = %+v", us)
	}

	wantCode(t, "SetResetCode", s.SetResetCode(ctx, other.ID, "code-1", T0.Add(time.Hour)), "")
	wantCode(t, "SetResetCode again", s.SetResetCode(ctx, other.ID, "code-2", T0.Add(time.Hour)), "")
	_, err = s.UseResetCode(ctx, "code-1", T0)
	wantCode(t, "replaced code", err, server.ENOTFOUND)
	_, err = s.UseResetCode(ctx, "code-2", T0.Add(2*time.Hour))
	wantCode(t, "expired code", err, server.ENOTFOUND)
	ru, err := s.UseResetCode(ctx, "code-2", T0)
	wantCode(t, "UseResetCode", err, "")
	if ru.ID != other.ID {
		t.Errorf("UseResetCode = %+v", ru)
	}
	_, err = s.UseResetCode(ctx, "code-2", T0)
	wantCode(t, "code used twice", err, server.ENOTFOUND)
	wantCode(t, "SetResetCode unknown", s.SetResetCode(ctx, 9999, "c", T0), server.ENOTFOUND)
}

// testLimiter: reservations are all or none, atomic under concurrency,
// and growing windows double.
func testLimiter(t *testing.T, s Store) {
	ctx := context.Background()
	win := 15 * time.Minute
	a := server.LimitBucket{Key: "a", Max: 2, Window: win, Grow: true}
	b := server.LimitBucket{Key: "b", Max: 3, Window: win}
	reserve := func(now time.Time, bs ...server.LimitBucket) bool {
		t.Helper()
		ok, _, err := s.Reserve(ctx, bs, now)
		wantCode(t, "Reserve", err, "")
		return ok
	}
	if !reserve(T0, a, b) || !reserve(T0, a, b) {
		t.Fatal("first two reservations refused")
	}
	ok, retry, err := s.Reserve(ctx, []server.LimitBucket{a, b}, T0)
	if ok || err != nil || !retry.Equal(T0.Add(win)) {
		t.Errorf("third reservation = %v, %v, %v; want refused until %v", ok, retry, err, T0.Add(win))
	}
	// The refusal took nothing from b: one left there.
	if !reserve(T0, b) || reserve(T0, b) {
		t.Error("b: want exactly one more")
	}
	// a filled its window, so the next is twice as long.
	if !reserve(T0.Add(win), a) || !reserve(T0.Add(win), a) || reserve(T0.Add(win), a) {
		t.Error("a in its second window: want two")
	}
	if reserve(T0.Add(win+win+time.Minute), a) {
		t.Error("a after 15 minutes of its doubled window: want refused")
	}
	if !reserve(T0.Add(3*win), a) {
		t.Error("a after its doubled window: want allowed")
	}
	// Release gives one back.
	if reserve(T0, b) {
		t.Error("b: full")
	}
	wantCode(t, "Release", s.Release(ctx, "b"), "")
	if !reserve(T0, b) || reserve(T0, b) {
		t.Error("b after Release: want exactly one more")
	}
	wantCode(t, "Release unknown", s.Release(ctx, "nothing"), "")
	wantCode(t, "Reset", s.Reset(ctx, "a"), "")
	if !reserve(T0.Add(3*win), a) || !reserve(T0.Add(3*win), a) {
		t.Error("a after Reset: want two")
	}
	// Concurrent reservations never exceed Max.
	c := server.LimitBucket{Key: "c", Max: 5, Window: win}
	var mu sync.Mutex
	var wg sync.WaitGroup
	granted := 0
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := s.Reserve(ctx, []server.LimitBucket{c}, T0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != 5 {
		t.Errorf("40 concurrent reservations of 5: %d granted", granted)
	}
	if k, err := s.Known(ctx, "k", T0); k || err != nil {
		t.Errorf("Known before Remember = %v, %v", k, err)
	}
	wantCode(t, "Remember", s.Remember(ctx, "k", T0.Add(time.Hour)), "")
	if k, err := s.Known(ctx, "k", T0); !k || err != nil {
		t.Errorf("Known after Remember = %v, %v", k, err)
	}
	if k, _ := s.Known(ctx, "k", T0.Add(2*time.Hour)); k {
		t.Error("Known after it expired")
	}
}
