package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestJWTKeyRotation(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	k1, err := loadJWTKeys(dir, false, now)
	if err != nil || len(k1.Secrets) != 1 {
		t.Fatalf("first start: %v %+v", err, k1)
	}
	again, _ := loadJWTKeys(dir, false, now.Add(time.Hour))
	if again.Current != k1.Current || len(again.Secrets) != 1 {
		t.Errorf("restart changed the key: %s, want %s", again.Current, k1.Current)
	}
	k2, err := loadJWTKeys(dir, true, now.Add(2*time.Hour))
	if err != nil || k2.Current == k1.Current || len(k2.Secrets) != 2 || k2.Secrets[k1.Current] == nil {
		t.Errorf("after rotation: current %s (was %s), %d keys; want a new current key and the old one kept for verifying", k2.Current, k1.Current, len(k2.Secrets))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "jwt", "*.key"))
	for _, f := range files {
		if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}

func TestAuditKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadAuditKey(dir, false); err == nil {
		t.Error("loadAuditKey without create made a key")
	}
	k, err := loadAuditKey(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadAuditKey(dir, false)
	if err != nil || !k.Equal(k2) {
		t.Errorf("reloaded key differs: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, AuditKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", AuditKeyFile, fi.Mode().Perm())
	}
	pub, err := readPubKey(filepath.Join(dir, AuditPubFile))
	if err != nil || !pub.Equal(k.Public()) {
		t.Errorf("%s does not hold the public key: %v", AuditPubFile, err)
	}
}
