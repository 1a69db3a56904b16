package http_test

import (
	"bytes"
	"testing"

	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/shared/rules"
)

// TestPrepareBuiltin checks that the built-in bundle, which a new server
// publishes and admins start their edits from, passes what
// POST /admin/bundles demands, and that preparing is stable.
func TestPrepareBuiltin(t *testing.T) {
	v, b, err := pvhttp.PrepareBundle(rules.BuiltinJSON())
	if err != nil {
		t.Fatalf("PrepareBundle(builtin): %v", err)
	}
	if v.Version != b.Version || v.Rules != len(b.Rules) || v.ETag != pvhttp.ETag(v.JSON) {
		t.Errorf("version %+v does not describe the bundle", v)
	}
	again, _, err := pvhttp.PrepareBundle(v.JSON)
	if err != nil || !bytes.Equal(again.JSON, v.JSON) || again.ETag != v.ETag {
		t.Errorf("preparing a prepared bundle changed it (err %v)", err)
	}
}
