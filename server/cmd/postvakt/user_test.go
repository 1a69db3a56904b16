package main

import (
	"bytes"
	"context"
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
