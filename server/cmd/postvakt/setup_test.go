package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSetupCommand(t *testing.T) {
	data := t.TempDir()
	org := filepath.Join(t.TempDir(), "org.json")
	os.WriteFile(org, []byte(`{"name": "Fjordvik kommune", "own_domains": ["fjordvik.kommune.no"], "allowed_phones": ["55 12 34 56"], "org_number": "974760673", "units": ["Servicetorget"]}`), 0o600)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"name": "X", "own_domains": ["ikke et domene"], "org_number": "123"}`), 0o600)
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
		ok    bool
	}{
		{"help", []string{"--help"}, "", "usage: postvakt setup", true},
		{"no org", []string{"--admin", "kari"}, "et-langt-passord\n", "usage: postvakt setup", false},
		{"invalid org", []string{"--admin", "kari", "--org", bad}, "et-langt-passord\n", "is not a domain name", false},
		{"short password", []string{"--admin", "kari", "--compliance", "arkiv", "--org", org}, "et-langt-passord\nkort\n", "the password of arkiv (line 2 of stdin)", false},
		{"set up", []string{"--admin", "kari", "--compliance", "arkiv", "--org", org}, "et-langt-passord\narkivets-passord\n", "set up: accounts kari (admin, staff), arkiv (compliance); the organisation profile of Fjordvik kommune is published as version", true},
		{"twice", []string{"--admin", "per", "--org", org}, "et-langt-passord\n", "already set up", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"setup"}, append(tc.args, "--data", data)...)
			err := run(context.Background(), args, serveNoEnv, strings.NewReader(tc.stdin), &out, &errb)
			all := out.String() + errb.String()
			if err != nil {
				all += err.Error()
			}
			if (err == nil) != tc.ok || !strings.Contains(all, tc.want) {
				t.Errorf("setup %v: err %v, output %q; want ok=%v and %q", tc.args, err, all, tc.ok, tc.want)
			}
		})
	}
	// The server started afterwards serves the profile and asks for no setup.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "list", "--data", data}, serveNoEnv, strings.NewReader(""), &out, io.Discard); err != nil || !strings.Contains(out.String(), "arkiv") {
		t.Fatalf("user list: %v %q", err, out.String())
	}
}

// TestServeSaysWhereToBegin: on a new database the server prints the
// setup page's address.
func TestServeSaysWhereToBegin(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, serveNoEnv, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "postvakt: Første gang? Gå til http://127.0.0.1:") || !strings.Contains(lines[1], "/setup") {
		t.Fatalf("serve printed %q", lines)
	}
	// The README's quick start shows these lines for 127.0.0.1:8080.
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	port := strings.TrimPrefix(lines[0], "postvakt: listening on http://127.0.0.1:")
	for _, l := range lines {
		want := strings.ReplaceAll(l, "127.0.0.1:"+port, "127.0.0.1:8080")
		if !strings.Contains(string(readme), "       "+want+"\n") {
			t.Errorf("the README's quick start lacks %q", want)
		}
	}
}
