package http_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestNewPagesAxe runs axe-core on the first-run, profile and rule
// editor pages in Chromium (testdata/axe_new.mjs), from an empty store
// through /setup. Skipped, saying what is missing, like TestPagesAxe.
// With POSTVAKT_SCREENSHOTS=DIR it saves the README's screenshots.
func TestNewPagesAxe(t *testing.T) {
	if testing.Short() {
		t.Skip("axe-core check skipped in -short mode")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/lib/chromium/chromium"
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("axe-core check skipped: node is not installed")
	}
	for _, need := range []struct{ what, path string }{
		{"Chromium (apt-get install chromium)", chromium},
		{"playwright-core in node_modules", "../../node_modules/playwright-core/package.json"},
		{"axe-core in node_modules", "../../node_modules/axe-core/axe.min.js"},
	} {
		if _, serr := os.Stat(need.path); serr != nil {
			t.Skipf("axe-core check skipped: %s is not installed", need.what)
		}
	}
	e := newFreshEnv(t)
	script, _ := filepath.Abs("testdata/axe_new.mjs")
	cmd := exec.Command(node, script, e.URL)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	if dir := os.Getenv("POSTVAKT_SCREENSHOTS"); dir != "" {
		abs, _ := filepath.Abs(dir)
		cmd.Env = append(cmd.Env, "SCREENSHOTS="+abs)
	}
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Errorf("axe-core found problems (or the run failed): %v", err)
	}
}
