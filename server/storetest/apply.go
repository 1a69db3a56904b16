package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/postvakt/postvakt/server"
	"github.com/postvakt/postvakt/shared/audit"
)

func bundle(version string) *server.BundleVersion {
	return &server.BundleVersion{Version: version, JSON: []byte(`{"version":"` + version + `"}`), ETag: `"` + version + `"`, Rules: 1, CreatedBy: "kari", CreatedAt: T0}
}

func firstUsers(name string) []*server.User {
	return []*server.User{
		{Name: name, Roles: []string{"admin", "staff"}, PasswordHash: []byte("x")},
		{Name: name + "-arkiv", Roles: []string{"compliance"}, PasswordHash: []byte("y")},
	}
}

// testApply: a change commits with its entries, all or nothing, and the
// first accounts are created once however many try at the same time.
func testApply(t *testing.T, s Store) {
	ctx := context.Background()
	v := bundle("v1")
	err := s.Apply(ctx, server.Change{FirstUsers: firstUsers("kari"), Bundle: v,
		Publish: &server.Publication{Version: "v1", PublishedBy: "kari", PublishedAt: T0},
		Record:  []audit.Entry{Entry(1, "kari", audit.ActionAccountCreated), Entry(2, "kari", audit.ActionBundlePublished)}}, T0)
	wantCode(t, "Apply first run", err, "")
	if u, err := s.FindUserByName(ctx, "kari-arkiv"); err != nil || u.ID == 0 || u.Stamp == "" || !u.HasRole("compliance") {
		t.Fatalf("first users: %+v, %v", u, err)
	}
	if p, err := s.Published(ctx); err != nil || p.Version != "v1" {
		t.Fatalf("published: %v, %v", p, err)
	}
	if rs, _ := s.List(ctx, server.AuditFilter{}); len(rs) != 2 {
		t.Fatalf("%d audit records, want 2", len(rs))
	}

	// A second first run changes nothing.
	err = s.Apply(ctx, server.Change{FirstUsers: firstUsers("per"), Bundle: bundle("v2"), Record: []audit.Entry{Entry(3, "per", audit.ActionAccountCreated)}}, T0)
	wantCode(t, "Apply second first run", err, server.ECONFLICT)
	if _, err := s.FindUserByName(ctx, "per"); server.ErrorCode(err) != server.ENOTFOUND {
		t.Fatalf("second first run left an account: %v", err)
	}
	if _, err := s.FindBundle(ctx, "v2"); server.ErrorCode(err) != server.ENOTFOUND {
		t.Fatalf("second first run left a bundle: %v", err)
	}

	// A publication of an unknown version rolls the new bundle back.
	err = s.Apply(ctx, server.Change{Bundle: bundle("v3"), Publish: &server.Publication{Version: "nope", PublishedBy: "kari", PublishedAt: T0},
		Record: []audit.Entry{Entry(4, "kari", audit.ActionBundlePublished)}}, T0)
	wantCode(t, "Apply unknown publication", err, server.ENOTFOUND)
	if _, err := s.FindBundle(ctx, "v3"); server.ErrorCode(err) != server.ENOTFOUND {
		t.Fatalf("failed change left a bundle: %v", err)
	}
	if rs, _ := s.List(ctx, server.AuditFilter{}); len(rs) != 2 {
		t.Fatalf("failed change left an entry: %d records", len(rs))
	}

	// Crisis with its entry.
	cr := server.Crisis{Active: true, Message: "flom", Team: []string{"kari"}, UpdatedBy: "kari", UpdatedAt: T0}
	wantCode(t, "Apply crisis", s.Apply(ctx, server.Change{Crisis: &cr, Record: []audit.Entry{Entry(5, "kari", audit.ActionCrisisOn)}}, T0), "")
	if got, err := s.Crisis(ctx); err != nil || !got.Active || got.Message != "flom" {
		t.Fatalf("crisis: %+v, %v", got, err)
	}
}

// testApplyFirstRace: parallel first runs create exactly one set of
// first accounts.
func testApplyFirstRace(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Apply(ctx, server.Change{FirstUsers: firstUsers(fmt.Sprintf("admin%d", i)),
				Record: []audit.Entry{Entry(100+i, "x", audit.ActionAccountCreated)}}, T0)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch server.ErrorCode(err) {
		case "":
			ok++
		case server.ECONFLICT:
		default:
			t.Fatalf("first run: %v", err)
		}
	}
	us, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ok != 1 || len(us) != 2 {
		t.Fatalf("%d first runs succeeded, %d accounts; want 1 and 2", ok, len(us))
	}
}

// ApplyRollsBack checks that a change whose audit append fails leaves no
// trace. The caller has made every insert into the audit log fail (a
// trigger) on the store s, which holds the published version "v0".
func ApplyRollsBack(t *testing.T, s Store) {
	ctx := context.Background()
	cr := server.Crisis{Active: true, Message: "flom", UpdatedBy: "kari", UpdatedAt: T0}
	err := s.Apply(ctx, server.Change{FirstUsers: firstUsers("kari"), Bundle: bundle("v1"),
		Publish: &server.Publication{Version: "v1", PublishedBy: "kari", PublishedAt: T0}, Crisis: &cr,
		Record: []audit.Entry{Entry(1, "kari", audit.ActionBundlePublished)}}, T0)
	if err == nil {
		t.Fatal("Apply succeeded although the audit append fails")
	}
	if us, _ := s.ListUsers(ctx); len(us) != 0 {
		t.Errorf("accounts left: %d", len(us))
	}
	if _, err := s.FindBundle(ctx, "v1"); server.ErrorCode(err) != server.ENOTFOUND {
		t.Errorf("bundle left: %v", err)
	}
	if p, err := s.Published(ctx); err != nil || p.Version != "v0" {
		t.Errorf("published: %v, %v; want v0", p, err)
	}
	if got, _ := s.Crisis(ctx); got.Active {
		t.Errorf("crisis switched on")
	}
}

// PublishV0 stores and publishes "v0" with the plain store methods.
func PublishV0(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.CreateBundle(ctx, bundle("v0")); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, server.Publication{Version: "v0", PublishedBy: "kari", PublishedAt: T0}); err != nil {
		t.Fatal(err)
	}
}
