package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserAdd(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string // in the output or the error
		ok    bool
	}{
		{"added", []string{"add", "kari", "--role", "admin,compliance", "--unit", "kommunikasjon", "--password-stdin"}, "et-langt-passord\n", "added user kari (admin, compliance)", true},
		{"flags before the name", []string{"add", "--role", "staff", "--password-stdin", "ola"}, "et-langt-passord", "added user ola (staff)", true},
		{"repeated role", []string{"add", "per", "--role", "staff", "--role", "admin", "--password-stdin"}, "et-langt-passord\n", "added user per (staff, admin)", true},
		{"taken", []string{"add", "kari", "--role", "staff", "--password-stdin"}, "et-langt-passord\n", `User "kari" exists.`, false},
		{"no password-stdin", []string{"add", "anne", "--role", "staff"}, "et-langt-passord\n", "--password-stdin", false},
		{"short password", []string{"add", "anne", "--role", "staff", "--password-stdin"}, "kort\n", "at least 10 characters", false},
		{"unknown role", []string{"add", "anne", "--role", "root", "--password-stdin"}, "et-langt-passord\n", `unknown role "root"`, false},
		{"no role", []string{"add", "anne", "--password-stdin"}, "et-langt-passord\n", "usage: postvakt user add", false},
		{"bad name", []string{"add", "<b>", "--role", "staff", "--password-stdin"}, "et-langt-passord\n", "a user name is at most", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"user"}, append(tc.args, "--data", data)...)
			err := run(context.Background(), args, serveNoEnv, strings.NewReader(tc.stdin), &out, &errb)
			all := out.String() + errb.String()
			if err != nil {
				all += err.Error()
			}
			if (err == nil) != tc.ok || !strings.Contains(all, tc.want) {
				t.Errorf("user %v: err %v, output %q; want ok=%v and %q", tc.args, err, all, tc.ok, tc.want)
			}
		})
	}
}

// Issue #13: the database holds password hashes, so the data directory
// is the owner's only, and so is every file in it, even when the
// directory was made by hand with looser permissions.
func TestDataPermissions(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"user", "add", "kari", "--role", "admin", "--password-stdin", "--data", data}
	if err := run(context.Background(), args, serveNoEnv, strings.NewReader("et-langt-passord\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v %v, want 0700", fi.Mode().Perm(), err)
	}
	files, _ := filepath.Glob(filepath.Join(data, "*"))
	if len(files) < 2 {
		t.Fatalf("data directory holds %v", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", filepath.Base(f), fi.Mode().Perm(), err)
		}
	}
}

// Issue #13: postvakt user list|disable|enable|roles|reset-password, each
// change an audit entry.
func TestUserManage(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string // in the output or the error
		ok    bool
	}{
		{"add", []string{"add", "kari", "--role", "admin", "--unit", "kommunikasjon", "--password-stdin"}, "et-langt-passord\n", "added user kari (admin)", true},
		{"add another", []string{"add", "ola", "--role", "staff", "--password-stdin"}, "et-langt-passord\n", "added user ola (staff)", true},
		{"list", []string{"list"}, "", "kari  admin  kommunikasjon  enabled  never", true},
		{"disable", []string{"disable", "ola"}, "", "disabled user ola", true},
		{"listed disabled", []string{"list"}, "", "ola   staff                 disabled  never", true},
		{"enable", []string{"enable", "ola"}, "", "enabled user ola", true},
		{"roles", []string{"roles", "ola", "--role", "staff,compliance", "--unit", "arkiv"}, "", `user ola now has roles staff, compliance (unit "arkiv")`, true},
		{"roles keep the unit", []string{"roles", "ola", "--role", "staff"}, "", `(unit "arkiv")`, true},
		{"roles unknown", []string{"roles", "ola", "--role", "root"}, "", `unknown role "root"`, false},
		{"roles without role", []string{"roles", "ola"}, "", "usage: postvakt user", false},
		{"reset code", []string{"reset-password", "ola"}, "", "/reset?code=", true},
		{"reset to a password", []string{"reset-password", "ola", "--password-stdin"}, "et-nytt-passord\n", "set a new password for ola", true},
		{"reset short password", []string{"reset-password", "ola", "--password-stdin"}, "kort\n", "at least 10 characters", false},
		{"unknown user", []string{"disable", "nn"}, "", "User not found.", false},
		{"no name", []string{"disable"}, "", "usage: postvakt user", false},
		{"unknown subcommand", []string{"delete", "ola"}, "", "usage: postvakt user", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"user"}, append(tc.args, "--data", data)...)
			err := run(context.Background(), args, serveNoEnv, strings.NewReader(tc.stdin), &out, &errb)
			all := out.String() + errb.String()
			if err != nil {
				all += err.Error()
			}
			if (err == nil) != tc.ok || !strings.Contains(all, tc.want) {
				t.Errorf("user %v: err %v, output %q; want ok=%v and %q", tc.args, err, all, tc.ok, tc.want)
			}
		})
	}
	// Every change is in the audit log, by "postvakt".
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "export", "--data", data}, serveNoEnv, strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"action":"account_created"`, `"action":"account_disabled"`, `"action":"account_enabled"`, `"action":"account_roles_changed"`, `"action":"account_password_reset"`, `"action":"account_password_set"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the audit log lacks %s:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 8 {
		t.Errorf("%d audit entries, want 8 (2 created, disabled, enabled, 2 role changes, reset, password)", n)
	}
}
