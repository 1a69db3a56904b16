package postgres_test

import (
	"testing"

	"github.com/postvakt/postvakt/server/storetest"
)

// TestApplyRollsBack makes every audit insert fail and checks that an
// admin change leaves nothing behind.
func TestApplyRollsBack(t *testing.T) {
	dsn := MustSchema(t)
	db := mustOpen(t, dsn)
	storetest.PublishV0(t, db)
	if err := exec(t, dsn, `CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit is broken'; END $$;
		CREATE TRIGGER audit_broken BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_broken();`); err != nil {
		t.Fatal(err)
	}
	storetest.ApplyRollsBack(t, db)
}
