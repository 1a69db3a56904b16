package audit

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
)

func TestNormalizeText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"trim and collapse", "  Hei\n\n  alle\t! ", "Hei alle !"},
		{"nfc", "a\u030a", "å"},
		{"case kept", "Oslo KOMMUNE", "Oslo KOMMUNE"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"empty", " \n ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NormalizeText(tc.in); got != tc.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if TextHash("Hei  alle") != TextHash("Hei alle\n") {
		t.Error("TextHash differs for texts with the same normal form")
	}
	if got := TextHash(""); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("TextHash(\"\") = %s", got)
	}
}

func validEntry() Entry {
	return Entry{ID: "0b8e6c55-5f3c-4d1e-9a51-1d2f3a4b5c6d", Platform: "facebook", At: "2026-11-22T10:00:00Z",
		Bundle: "2026-11-22.1", Action: ActionOverridden, Reason: "Godkjent av leder",
		Findings: []Finding{{Rule: "pii.phone", Severity: "warn", Excerpt: "9*****78"}}}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(e *Entry)
		paths []string
	}{
		{"valid", func(e *Entry) {}, nil},
		{"upper-case uuid", func(e *Entry) { e.ID = strings.ToUpper(e.ID) }, []string{"id"}},
		{"not a uuid", func(e *Entry) { e.ID = "1; DROP TABLE audit" }, []string{"id"}},
		{"server action", func(e *Entry) { e.Action = ActionBundlePublished }, []string{"action"}},
		{"a prune cutoff from a client", func(e *Entry) { e.Before = "2026-11-23T00:00:00Z" }, []string{"before"}},
		{"server platform", func(e *Entry) { e.Platform = "server" }, []string{"platform"}},
		{"override without reason", func(e *Entry) { e.Reason = " " }, []string{"reason"}},
		{"bad time", func(e *Entry) { e.At = "i går" }, []string{"at"}},
		{"bad hash", func(e *Entry) { e.TextSHA256 = "ABC" }, []string{"text_sha256"}},
		{"bad finding", func(e *Entry) { e.Findings[0].Severity = "fatal"; e.Findings[0].Rule = "" },
			[]string{"findings[0].rule", "findings[0].severity"}},
		{"dropped report", func(e *Entry) { e.Action, e.Reason, e.Findings, e.Dropped = ActionDropped, "", nil, 12 }, nil},
		{"dropped without count", func(e *Entry) { e.Action, e.Reason, e.Findings = ActionDropped, "", nil }, []string{"dropped"}},
		{"negative dropped", func(e *Entry) { e.Action, e.Reason, e.Dropped = ActionDropped, "", -3 }, []string{"dropped"}},
		{"count on a publish", func(e *Entry) { e.Dropped = 4 }, []string{"dropped"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := validEntry()
			tc.edit(&e)
			var got []string
			for _, p := range e.Validate() {
				got = append(got, p.Path)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.paths) {
				t.Errorf("problems at %v, want %v", got, tc.paths)
			}
		})
	}
}

// chain builds a log of n records with a checkpoint after every k. The
// eighth record is an audit_pruned entry that vouches for removing the
// contents of every record received before 23 November.
func chain(t *testing.T, key ed25519.PrivateKey, n, k int) ([]Record, []Checkpoint) {
	t.Helper()
	var rs []Record
	var cps []Checkpoint
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := validEntry()
		e.ID = fmt.Sprintf("0b8e6c55-5f3c-4d1e-9a51-%012d", i)
		e.User = "kari"
		if i == 8 {
			e = Entry{ID: e.ID, User: "postvakt", Platform: "server", At: "2026-11-22T10:00:00Z", Action: ActionAuditPruned,
				Findings: []Finding{}, Reason: "oppbevaringstid", Before: "2026-11-23T00:00:00Z"}
		}
		r := Record{Seq: int64(i), Entry: e, Received: "2026-11-22T10:00:00Z"}
		Seal(prev, &r)
		prev = r.Hash
		rs = append(rs, r)
		if i%k == 0 || i == n {
			cps = append(cps, SignCheckpoint(key, int64(i), r.Hash, "2026-11-22T10:00:00Z"))
		}
	}
	return rs, cps
}

// rechainV1 turns the first n records into version-1 records (no digest,
// as appended before retention existed) and rechains the rest after them.
func rechainV1(rs []Record, n int) []Record {
	prev := GenesisHash
	for i := range rs {
		if i < n {
			rs[i].Digest = ""
			rs[i].Prev = prev
			rs[i].Hash = Hash(prev, &rs[i])
		} else {
			Seal(prev, &rs[i])
		}
		prev = rs[i].Hash
	}
	return rs
}

// resign signs new checkpoints at the sizes of cps for the records rs.
func resign(key ed25519.PrivateKey, rs []Record, cps []Checkpoint) []Checkpoint {
	out := make([]Checkpoint, len(cps))
	for i, c := range cps {
		out[i] = SignCheckpoint(key, c.Size, rs[c.Size-1].Hash, c.Time)
	}
	return out
}

func TestPrune(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	rs, _ := chain(t, key, 2, 2)
	r := rs[0]
	if !r.Prune() {
		t.Fatal("Prune of a sealed record reported false")
	}
	if !r.Pruned || r.ID != rs[0].ID || r.At != rs[0].At || r.Action != rs[0].Action || r.User != "" || r.Reason != "" ||
		len(r.Findings) != 0 || r.Digest != rs[0].Digest || r.Hash != rs[0].Hash {
		t.Errorf("pruned record %+v", r)
	}
	if r.Prune() {
		t.Error("Prune of a pruned record reported true")
	}
	v1 := rechainV1(rs, 1)[0]
	if v1.Prune() || v1.Pruned {
		t.Error("Prune of a version-1 record reported true; its hash commits to the contents")
	}
}

func verify(pub ed25519.PublicKey, rs []Record, cps []Checkpoint) Report {
	v := NewVerifier(pub, cps)
	for i := range rs {
		v.Add(&rs[i])
	}
	return v.Finish()
}

func TestVerify(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))

	for _, tc := range []struct {
		name   string
		tamper func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint)
		want   []string // kind@position
	}{
		{"intact", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) { return rs, cps }, nil},
		{"edited reason", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[3].Reason = "endret"
			return rs, cps
		}, []string{"edited@4", "checkpoint@5"}},
		{"edited and rehashed", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[3].Action = ActionPublished
			Seal(rs[3].Prev, &rs[3])
			return rs, cps
		}, []string{"chain@5", "checkpoint@5"}},
		{"edited digest column", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[3].Digest = ContentDigest(&Entry{})
			return rs, cps
		}, []string{"edited@4"}},

		// retention: pruned records verify by their stored digest
		{"pruned", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			for i := range 6 {
				rs[i].Prune()
			}
			return rs, cps
		}, nil},
		{"pruned, then its action edited", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[1].Prune()
			rs[1].Action = ActionPublished
			return rs, cps
		}, []string{"edited@2", "checkpoint@5"}},
		{"marked pruned with other contents", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[1].Pruned = true
			rs[1].Reason = "endret"
			return rs, cps
		}, []string{"edited@2"}},
		{"pruned and deleted", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[0].Prune()
			rs[2].Prune()
			return append(rs[:1:1], rs[2:]...), cps
		}, []string{"deleted@2"}},
		// Contents removed outside `audit prune`: after the last
		// audit_pruned entry, or before one whose cutoff does not reach.
		{"pruned with no audit_pruned entry after it", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[8].Prune()
			return rs, cps
		}, []string{"pruned@9"}},
		{"pruned before an audit_pruned entry whose cutoff is earlier", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[7].Before = "2026-11-22T09:00:00Z"
			prev := GenesisHash
			for i := range rs {
				Seal(prev, &rs[i])
				prev = rs[i].Hash
			}
			rs[2].Prune()
			rs[3].Prune()
			return rs, resign(key, rs, cps)
		}, []string{"pruned@3"}},
		{"pruned digest replaced", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[1].Prune()
			rs[1].Digest = ContentDigest(&Entry{})
			return rs, cps
		}, []string{"edited@2", "checkpoint@5"}},

		// version 1: records appended before digests commit to their contents
		{"version 1 records", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			return rechainV1(rs, 3), resign(key, rechainV1(rs, 3), cps)
		}, nil},
		{"version 1 record edited", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs = rechainV1(rs, 3)
			cps = resign(key, rs, cps)
			rs[1].Reason = "endret"
			return rs, cps
		}, []string{"edited@2", "checkpoint@5"}},
		{"version 1 record given a digest", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs = rechainV1(rs, 3)
			cps = resign(key, rs, cps)
			rs[1].Digest = ContentDigest(&rs[1].Entry)
			return rs, cps
		}, []string{"edited@2", "checkpoint@5"}},
		{"deleted in the middle", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			return append(rs[:6:6], rs[7:]...), cps
		}, []string{"deleted@7"}},
		{"deleted at the end", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			return rs[:8], cps
		}, []string{"deleted@9"}},
		{"whole log rewritten", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[0].Findings = nil
			prev := GenesisHash
			for i := range rs {
				Seal(prev, &rs[i])
				prev = rs[i].Hash
			}
			return rs, cps
		}, []string{"checkpoint@5"}},
		{"forged checkpoint", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			return rs, append(cps, SignCheckpoint(other, 12, GenesisHash, "2026-11-22T10:00:00Z"))
		}, []string{"signature@12"}},
		{"reordered", func(rs []Record, cps []Checkpoint) ([]Record, []Checkpoint) {
			rs[1], rs[2] = rs[2], rs[1]
			return rs, cps
		}, []string{"deleted@2", "order@2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, cps := chain(t, key, 10, 5)
			rs, cps = tc.tamper(rs, cps)
			rep := verify(pub, rs, cps)
			var got []string
			for _, f := range rep.Faults {
				got = append(got, fmt.Sprintf("%s@%d", f.Kind, f.Position))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("faults %v, want %v\n%+v", got, tc.want, rep.Faults)
			}
			if rep.OK != (len(tc.want) == 0) {
				t.Errorf("OK = %v with faults %v", rep.OK, got)
			}
		})
	}
}

// FuzzVerify feeds arbitrary records (as an export line would decode) to
// the verifier: it must never panic, and a report with faults is never OK.
func FuzzVerify(f *testing.F) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	f.Add(int64(1), "x", GenesisHash, "h", int64(1), "h")
	f.Add(int64(3), "", "", "", int64(-1), "")
	f.Fuzz(func(t *testing.T, seq int64, reason, prev, hash string, cpSize int64, cpHash string) {
		v := NewVerifier(key.Public().(ed25519.PublicKey), []Checkpoint{SignCheckpoint(key, cpSize, cpHash, "t"), {Size: cpSize, Sig: reason}})
		r := Record{Seq: seq, Entry: Entry{Reason: reason}, Prev: prev, Hash: hash}
		v.Add(&r)
		v.Add(&r)
		rep := v.Finish()
		if rep.OK != (len(rep.Faults) == 0) {
			t.Errorf("OK %v with %d faults", rep.OK, len(rep.Faults))
		}
	})
}
