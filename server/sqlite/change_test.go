package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/postvakt/postvakt/server/storetest"
)

// TestApplyRollsBack makes every audit insert fail and checks that an
// admin change leaves nothing behind.
func TestApplyRollsBack(t *testing.T) {
	db := MustOpenDB(t)
	storetest.PublishV0(t, db)
	raw, err := sql.Open("sqlite", "file:"+db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER audit_broken BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit is broken'); END`); err != nil {
		t.Fatal(err)
	}
	storetest.ApplyRollsBack(t, db)
}
