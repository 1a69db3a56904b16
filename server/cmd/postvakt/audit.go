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

	"github.com/postvakt/postvakt/server"
	pvhttp "github.com/postvakt/postvakt/server/http"
	"github.com/postvakt/postvakt/shared/audit"
)

func init() {
	commands["audit"] = command{usage: "verify the audit log or an export against signed checkpoints; export it (audit verify|export)", run: runAudit}
}

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runAuditVerify(ctx, args[1:], getenv, stdin, stdout, stderr)
		case "export":
			return runAuditExport(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, joinLines(
		"usage: postvakt audit verify [--data DIR] [--checkpoints FILE] [--pubkey KEY] [EXPORT.jsonl]",
		"       postvakt audit export [--data DIR] [--format jsonl|csv] [--checkpoints FILE]",
		"",
		"verify replays the log (the database in DIR, or a JSON Lines export; - is stdin)",
		"against the server's signed checkpoints and lists every edited, deleted or",
		"reordered entry by position. It exits with status 1 when anything is wrong."))
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
		cps = f.Checkpoints
		if pub == nil {
			if pub, err = readPubKey(f.PublicKey); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "note: trusting key %s named in %s; pass --pubkey to check against a key you hold\n", audit.KeyID(pub), *cpFile)
		}
	}
	if *cpFile == "" || fs.NArg() == 0 {
		d, _, err := sf.open(false)
		if err != nil {
			return err
		}
		defer d.Close()
		db = d
		if *cpFile == "" {
			if cps, err = d.Checkpoints(ctx); err != nil {
				return err
			}
		}
	}
	if pub == nil {
		return errors.New("no public key: pass --pubkey")
	}

	v := audit.NewVerifier(pub, cps)
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
	fmt.Fprintf(stdout, "%s: ok: %d entries, %d signed checkpoints match (key %s)\n", what, rep.Entries, rep.Checkpoints, audit.KeyID(pub))
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
	db, key, err := sf.open(false)
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
		cps, err := db.Checkpoints(ctx)
		if err != nil {
			return err
		}
		pub := key.Public().(ed25519.PublicKey)
		b, _ := json.MarshalIndent(pvhttp.Checkpoints{KeyID: audit.KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub), Checkpoints: cps}, "", "  ")
		if err := os.WriteFile(*cpFile, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}
