package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/postvakt/postvakt/server"
)

func init() {
	commands["journal"] = command{usage: "delete journaled posts after the retention period, except those on legal hold (journal prune)", run: runJournal}
}

func runJournal(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "prune" {
		return runJournalPrune(ctx, args[1:], getenv, stdout, stderr, time.Now())
	}
	fmt.Fprintln(stderr, joinLines(
		"usage: postvakt journal prune [--data DIR] [--db DB] [--before DATE] [--force]",
		"",
		"prune deletes the posts saved for journalføring, with their comments, that",
		"the archive marked journaled before the organisation's retention period",
		"(retention_days in the published bundle's org section, default 365) or",
		"before DATE; a DATE inside the period needs --force. Items on legal hold,",
		"and items not yet journaled, are kept. Each prune is an audit entry."))
	return errUsage
}

func runJournalPrune(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("journal prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs, getenv)
	beforeFlag := fs.String("before", "", "delete items journaled before `DATE` (YYYY-MM-DD, UTC; default: the start of the retention period)")
	force := fs.Bool("force", false, "delete even when DATE is inside the organisation's retention period")
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
	j, ok := db.(server.JournalStore)
	if !ok {
		return errors.New("this store keeps no journal")
	}
	if key == nil {
		return fmt.Errorf("no audit key in %s: a prune is recorded in the audit log, which needs the server's key (set --data)", *sf.data)
	}
	before, _, days, err := pruneCutoff(ctx, db, now, *beforeFlag, *force, "items journaled", "delete")
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("Innlegg journalført før %s slettes, unntatt de med sletteforbud (oppbevaringstid %d dager).", before.Format(time.DateOnly), days)
	n, err := server.PruneJournal(ctx, db, j, before, now, reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deleted %d journaled items filed before %s (retention %d days); items on legal hold are kept\n", n, before.Format(time.DateOnly), days)
	return nil
}
