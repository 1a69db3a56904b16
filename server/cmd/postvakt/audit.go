package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/shared/audit"
	"github.com/postvakt/postvakt/shared/rules"
)

func init() {
	commands["audit"] = command{usage: "verify the audit log or an export against signed checkpoints; export it; prune old contents (audit verify|export|prune)", run: runAudit}
}

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runAuditVerify(ctx, args[1:], getenv, stdin, stdout, stderr)
		case "export":
			return runAuditExport(ctx, args[1:], getenv, stdout, stderr)
		case "checkpoint":
			return runAuditCheckpoint(ctx, args[1:], getenv, stdout, stderr)
		case "prune":
			return runAuditPrune(ctx, args[1:], getenv, stdout, stderr, time.Now())
		}
	}
	fmt.Fprintln(stderr, joinLines(
		"usage: postvakt audit verify [--data DIR] [--db DB] [--checkpoints FILE] [--pubkey KEY]",
		"                             [--checkpoint FILE]... [--witness URL]... [--max-uncovered N] [--max-uncovered-minutes M] [EXPORT.jsonl]",
		"       postvakt audit checkpoint [--data DIR] [--db DB]   (prints the newest signed checkpoint: keep it elsewhere)",
		"       postvakt audit export [--data DIR] [--db DB] [--format jsonl|csv] [--checkpoints FILE]",
		"       postvakt audit prune [--data DIR] [--db DB] [--before DATE] [--force]",
		"",
		"verify replays the log (the database, or a JSON Lines export; - is stdin)",
		"against the server's signed checkpoints and lists every edited, deleted or",
		"reordered entry by position. It exits with status 1 when anything is wrong,",
		"when the log has no signed checkpoint, when more than N entries (or entries",
		"older than M minutes) follow the newest, or when the log does not extend a",
		"checkpoint kept outside the database: one given with --checkpoint (saved",
		"earlier with `audit checkpoint` or from an answer of the server) or the",
		"newest a witness (postvakt witness) holds. Without such a checkpoint, a tail",
		"cut together with its checkpoints cannot be told from a shorter log.",
		"",
		"prune removes the contents (user, unit, host, findings, reason, text hash) of",
		"entries received before the organisation's retention period, which is",
		"retention_days in the published bundle's org section (default 365), or",
		"before DATE; a DATE inside the period needs --force. The chain still verifies."))
	return errUsage
}

// readPubKey reads a base64 ed25519 public key from a file or the argument itself.
func readPubKey(s string) (ed25519.PublicKey, error) {
	if b, err := os.ReadFile(s); err == nil {
		s = string(b)
	}
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, errors.New("--pubkey: not a base64 ed25519 public key (or a file holding one)")
	}
	return pub, nil
}

func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs, getenv)
	cpFile := fs.String("checkpoints", "", "checkpoints `FILE` as GET /api/v1/audit/checkpoints returns it (default: from the database)")
	pubFlag := fs.String("pubkey", "", "the server's checkpoint public `KEY` (base64, or a file; default: DIR/"+AuditPubFile+")")
	var anchorFiles, witnesses []string
	fs.Func("checkpoint", "a signed checkpoint `FILE` kept outside the database that the log must extend (repeatable)", func(v string) error {
		anchorFiles = append(anchorFiles, v)
		return nil
	})
	fs.Func("witness", "a witness's base `URL`: the log must extend the newest checkpoint it holds (repeatable)", func(v string) error {
		witnesses = append(witnesses, v)
		return nil
	})
	maxUncovered := fs.Int64("max-uncovered", 0, "how many entries may follow the newest signed checkpoint")
	maxMinutes := fs.Int("max-uncovered-minutes", 0, "how many minutes ago the first entry after the newest signed checkpoint may have been received (0: any, within --max-uncovered)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 1 {
		return errUsage
	}

	var pub ed25519.PublicKey
	var err error
	if *pubFlag != "" {
		if pub, err = readPubKey(*pubFlag); err != nil {
			return err
		}
	} else if b, err := os.ReadFile(filepath.Join(*sf.data, AuditPubFile)); err == nil {
		if pub, err = readPubKey(string(b)); err != nil {
			return err
		}
	}

	var cps []audit.Checkpoint
	var trees []string
	var db server.AuditLog
	if *cpFile != "" {
		b, err := os.ReadFile(*cpFile)
		if err != nil {
			return err
		}
		var f pvhttp.Checkpoints
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %v", *cpFile, err)
		}
		cps, trees = f.Checkpoints, f.Trees
		if pub == nil {
			if pub, err = readPubKey(f.PublicKey); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "note: trusting key %s named in %s; pass --pubkey to check against a key you hold\n", audit.KeyID(pub), *cpFile)
		}
	}
	if *cpFile == "" || fs.NArg() == 0 {
		d, _, err := sf.open(ctx, false)
		if err != nil {
			return err
		}
		defer d.Close()
		db = d
		if *cpFile == "" {
			if cps, err = d.Checkpoints(ctx); err != nil {
				return err
			}
			if trees, err = d.TreeCheckpoints(ctx); err != nil {
				return err
			}
		}
	}
	if pub == nil {
		return errors.New("no public key: pass --pubkey")
	}

	v := audit.NewVerifier(pub, cps)
	v.AddTrees(trees)
	for _, name := range anchorFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := v.AddAnchor(string(b), name); err != nil {
			return err
		}
	}
	for _, w := range witnesses {
		cp, err := witnessCheckpoint(ctx, w, audit.LogOrigin(pub))
		if err != nil {
			return fmt.Errorf("witness %s: %w", w, err)
		}
		if cp == "" {
			fmt.Fprintf(stderr, "note: witness %s holds no checkpoint of this log yet\n", w)
			continue
		}
		if err := v.AddAnchor(cp, "witness "+w); err != nil {
			return err
		}
	}
	v.Require(audit.Coverage{MaxEntries: *maxUncovered, MaxAge: time.Duration(*maxMinutes) * time.Minute, Now: time.Now()})
	what := "the database"
	if fs.NArg() == 1 {
		what = fs.Arg(0)
		var r io.Reader = stdin
		if what != "-" {
			f, err := os.Open(what)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for n := 1; sc.Scan(); n++ {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var rec audit.Record
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				return fmt.Errorf("%s: line %d: %v", what, n, err)
			}
			v.Add(&rec)
		}
		if err := sc.Err(); err != nil {
			return err
		}
	} else if err := db.Each(ctx, server.AuditFilter{}, func(r *audit.Record) error { v.Add(r); return nil }); err != nil {
		return err
	}
	rep := v.Finish()
	for _, f := range rep.Faults {
		fmt.Fprintf(stdout, "%s: %s: %s\n", what, f.Kind, f)
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "%s: NOT OK: %d fault(s) in %d entries (key %s)\n", what, len(rep.Faults), rep.Entries, audit.KeyID(pub))
		return exitError(1)
	}
	pruned := ""
	if rep.Pruned > 0 {
		pruned = fmt.Sprintf(" (%d with contents pruned after the retention period)", rep.Pruned)
	}
	anchored := ""
	if rep.Anchor != "" {
		anchored = "; it extends the checkpoint from " + rep.Anchor
	}
	fmt.Fprintf(stdout, "%s: ok: %d entries%s, %d signed checkpoints match, %d of the Merkle tree (newest: %d entries, root %s)%s (key %s)\n",
		what, rep.Entries, pruned, rep.Checkpoints, rep.TreeCheckpoints, rep.TreeSize, rep.Root, anchored, audit.KeyID(pub))
	return nil
}

func runAuditExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs, getenv)
	format := fs.String("format", "jsonl", "`FORMAT`: jsonl (verifiable) or csv")
	cpFile := fs.String("checkpoints", "", "also write the signed checkpoints to `FILE`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || (*format != "jsonl" && *format != "csv") {
		return errUsage
	}
	db, key, err := sf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if *format == "csv" {
		cw := csv.NewWriter(w)
		cw.Write(pvhttp.CSVHeader)
		err = db.Each(ctx, server.AuditFilter{}, func(r *audit.Record) error { return cw.Write(pvhttp.CSVRow(r)) })
		cw.Flush()
	} else {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		err = db.Each(ctx, server.AuditFilter{}, func(r *audit.Record) error { return enc.Encode(r) })
	}
	if err != nil {
		return err
	}
	if *cpFile != "" {
		if key == nil {
			return fmt.Errorf("--checkpoints: no audit key in %s to name the public key with", *sf.data)
		}
		cps, err := pvhttp.NewCheckpoints(ctx, db, key.Public().(ed25519.PublicKey))
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(cps, "", "  ")
		if err := os.WriteFile(*cpFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// DefaultRetentionDays is the retention period of audit entry contents
// when the published bundle's organisation section sets none.
const DefaultRetentionDays = 365

// retentionDays is the organisation's retention period: retention_days
// of the published bundle's org section, or DefaultRetentionDays.
func retentionDays(ctx context.Context, db store) (int, error) {
	v, err := db.Published(ctx)
	if server.ErrorCode(err) == server.ENOTFOUND {
		return DefaultRetentionDays, nil
	} else if err != nil {
		return 0, err
	}
	b, err := rules.Parse(v.JSON)
	if err != nil {
		return 0, fmt.Errorf("the published bundle %s: %v", v.Version, err)
	}
	if b.Org.RetentionDays > 0 {
		return b.Org.RetentionDays, nil
	}
	return DefaultRetentionDays, nil
}

// pruneCutoff is the date before which a prune removes things: the start
// of the organisation's retention period, or --before, which may fall
// inside the period only with --force. kept names what the period keeps
// («entries received») and verb what the prune does, for the refusal.
func pruneCutoff(ctx context.Context, db store, now time.Time, beforeFlag string, force bool, kept, verb string) (before, cutoff time.Time, days int, err error) {
	if days, err = retentionDays(ctx, db); err != nil {
		return
	}
	y, m, d := now.UTC().Date()
	cutoff = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days)
	before = cutoff
	if beforeFlag == "" {
		return
	}
	if before, err = time.Parse(time.DateOnly, beforeFlag); err != nil {
		err = fmt.Errorf("--before: %q is not a date (YYYY-MM-DD)", beforeFlag)
		return
	}
	if before.After(cutoff) && !force {
		err = fmt.Errorf("%s is inside the organisation's retention period of %d days (%s on or after %s are kept); pass --force to %s them anyway",
			before.Format(time.DateOnly), days, kept, cutoff.Format(time.DateOnly), verb)
	}
	return
}

func runAuditPrune(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("audit prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs, getenv)
	beforeFlag := fs.String("before", "", "prune entries received before `DATE` (YYYY-MM-DD, UTC; default: the start of the retention period)")
	force := fs.Bool("force", false, "prune even when DATE is inside the organisation's retention period")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	db, key, err := sf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if key == nil {
		return fmt.Errorf("no audit key in %s: a prune is recorded in the log, which needs the server's key (set --data)", *sf.data)
	}
	before, cutoff, days, err := pruneCutoff(ctx, db, now, *beforeFlag, *force, "entries received", "prune")
	if err != nil {
		return err
	}
	// Pruning is an admin action and is itself audited: PruneLog appends
	// an audit_pruned entry with the cutoff before the contents go, and
	// the verifier accepts only pruned records such an entry covers.
	reason := fmt.Sprintf("Innholdet i oppføringer mottatt før %s slettes (oppbevaringstid %d dager).", before.Format(time.DateOnly), days)
	if before.After(cutoff) {
		reason = fmt.Sprintf("Innholdet i oppføringer mottatt før %s slettes før oppbevaringstiden på %d dager er ute (--force).", before.Format(time.DateOnly), days)
	}
	res, err := server.PruneLog(ctx, db, before, now, reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pruned the contents of %d entries received before %s (retention %d days)\n", res.Pruned, before.Format(time.DateOnly), days)
	if res.Kept > 0 {
		fmt.Fprintf(stdout, "kept %d older entries whole: they were stored before content digests, so their hash covers their contents\n", res.Kept)
	}
	return nil
}
