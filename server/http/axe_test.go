package http_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPagesAxe runs axe-core on every page in a real Chromium. It needs
// node, the chromium package and playwright-core and axe-core in the
// repository's node_modules (the extension's browser tests install them);
// it is skipped, saying which is missing, without them.
func TestPagesAxe(t *testing.T) {
	if testing.Short() {
		t.Skip("axe-core check skipped in -short mode")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/lib/chromium/chromium"
	}
	node, err := exec.LookPath("node")
	for _, need := range []struct{ what, path string }{
		{"node", node},
		{"Chromium (apt-get install chromium)", chromium},
		{"playwright-core in node_modules", "../../node_modules/playwright-core/package.json"},
		{"axe-core in node_modules", "../../node_modules/axe-core/axe.min.js"},
	} {
		if need.path == "" || err != nil {
			t.Skipf("axe-core check skipped: %s is not installed", need.what)
		}
		if _, serr := os.Stat(need.path); serr != nil {
			t.Skipf("axe-core check skipped: %s is not installed", need.what)
		}
	}
	e := newEnv(t)
	staff := e.login("staff").AccessToken
	e.do("POST", "/api/v1/audit", staff, map[string]any{"entries": []any{entry(1, "Godkjent <b>av</b> leder"), entry(2, "b")}})
	e.do("POST", "/api/v1/journal", staff, hearing("https://facebook.com/eksempel/posts/1", cmt("Ola Nordmann", "Flere trær.")))
	script, _ := filepath.Abs("testdata/axe.mjs")
	cmd := exec.Command(node, script, e.URL, "adm", "comp", password)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Errorf("axe-core found problems (or the run failed): %v", err)
	}
}
