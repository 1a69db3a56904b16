package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/postvakt/postvakt/shared/draft"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
)

func init() {
	commands["check"] = command{
		usage: "check drafts (JSON Lines from files or stdin) and write one report per line",
		run:   runCheck,
	}
}

// maxLine bounds one input line; a draft is at most 63,206 characters,
// and JSON escaping can multiply that.
const maxLine = 4 << 20

func runCheck(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bundlePath := fs.String("bundle", "", "rule bundle `FILE` (default: the built-in bundle)")
	orgPath := fs.String("org", "", "replace the bundle's organisation section with this `FILE`")
	lang := fs.String("lang", "nb", "message language: nb, nn or en")
	fs.Usage = func() {
		fmt.Fprintln(stderr, joinLines(
			"usage: postvakt check [--bundle FILE] [--org FILE] [--lang nb|nn|en] [FILE...] > reports.jsonl",
			"",
			"Reads JSON Lines from each FILE in turn, or from standard input when there is",
			"none (- is standard input too). Each line is a Draft, or a labelled line whose",
			"\"draft\" field is checked. A malformed line, or a draft whose kind is not post,",
			"reply or message, is reported on stderr with its line number; the rest go on."))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	switch *lang {
	case "nb", "nn", "en":
	default:
		fmt.Fprintf(stderr, "postvakt check: --lang %q is not one of nb, nn, en\n", *lang)
		return errUsage
	}
	if fs.NArg() > 0 {
		var rs []io.Reader
		for _, name := range fs.Args() {
			if name == "-" {
				rs = append(rs, stdin, strings.NewReader("\n"))
				continue
			}
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			// A file that does not end its last line must not glue it
			// to the next file's first.
			rs = append(rs, f, strings.NewReader("\n"))
		}
		stdin = io.MultiReader(rs...)
	}
	b, err := loadBundle(*bundlePath, *orgPath)
	if err != nil {
		return err
	}
	e, err := engine.New(b)
	if err != nil {
		return err
	}
	opt := engine.Options{Lang: *lang}

	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)

	// Lines are read in batches and checked in parallel (the engine is
	// safe for concurrent use); reports are written in input order.
	workers := max(1, runtime.GOMAXPROCS(0))
	type item struct {
		n    int
		line []byte
		rep  draft.Report
		err  error
		skip bool
	}
	batch := make([]item, 0, checkBatch)
	bad := 0
	flushBatch := func() error {
		var wg sync.WaitGroup
		next := make(chan int, len(batch))
		for i := range batch {
			next <- i
		}
		close(next)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					it := &batch[i]
					if len(bytes.TrimSpace(it.line)) == 0 {
						it.skip = true
						continue
					}
					d, err := parseDraftLine(it.line)
					if err != nil {
						it.err = err
						continue
					}
					it.rep = e.Check(d, opt)
				}
			}()
		}
		wg.Wait()
		for i := range batch {
			it := &batch[i]
			switch {
			case it.skip:
			case it.err != nil:
				bad++
				fmt.Fprintf(stderr, "postvakt check: line %d: %v\n", it.n, it.err)
			default:
				if err := enc.Encode(it.rep); err != nil {
					return err
				}
			}
		}
		batch = batch[:0]
		return nil
	}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := readLine(in)
		if len(line) > 0 {
			batch = append(batch, item{n: n, line: line})
		}
		if len(batch) == checkBatch || err != nil {
			if ferr := flushBatch(); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	if bad > 0 {
		out.Flush()
		return fmt.Errorf("%d malformed line(s) skipped", bad)
	}
	return nil
}

// checkBatch is how many lines are checked in parallel before their
// reports are written, in order.
const checkBatch = 256

// readLine reads one line of at most maxLine bytes; a longer line is
// consumed and reported as an error for that line only.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if len(line)+len(chunk) <= maxLine {
			line = append(line, chunk...)
		} else {
			line = append(line[:0], "\x00toolong"...)
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return line, err
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// parseDraftLine accepts a Draft or a labelled corpus line {"draft": {...}}.
func parseDraftLine(line []byte) (draft.Draft, error) {
	if string(line) == "\x00toolong" {
		return draft.Draft{}, fmt.Errorf("line is longer than %d bytes", maxLine)
	}
	// One decode for both shapes: a Draft, or a labelled line whose
	// "draft" field is the draft.
	if t := bytes.TrimLeft(line, " \t\r"); len(t) == 0 || t[0] != '{' {
		var v any
		err := json.Unmarshal(line, &v)
		if err == nil {
			err = errors.New("want an object")
		}
		return draft.Draft{}, fmt.Errorf("not a JSON object: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	var l struct {
		draft.Draft
		Inner *draft.Draft `json:"draft"`
	}
	if err := json.Unmarshal(line, &l); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return draft.Draft{}, fmt.Errorf("not a JSON object: %v", strings.TrimPrefix(err.Error(), "json: "))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return draft.Draft{}, fmt.Errorf("not a draft: %s", rules.TypeErrorMessage(te))
		}
		return draft.Draft{}, fmt.Errorf("not a draft: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	d := l.Draft
	if l.Inner != nil {
		d = *l.Inner
	}
	if d.ID == "" {
		return draft.Draft{}, errors.New(`draft has no "id"`)
	}
	switch d.Kind {
	case "", "post", "reply", "message":
	default:
		// An unknown kind would silently be checked as a post.
		return draft.Draft{}, fmt.Errorf("draft %q: kind %q is not one of post, reply, message", d.ID, d.Kind)
	}
	return d, nil
}

// loadBundle reads a bundle file (or the built-in bundle) and applies an
// organisation file.
func loadBundle(bundlePath, orgPath string) (*rules.Bundle, error) {
	var b *rules.Bundle
	if bundlePath == "" {
		b = rules.Builtin()
	} else {
		data, err := os.ReadFile(bundlePath)
		if err != nil {
			return nil, err
		}
		if b, err = rules.Parse(data); err != nil {
			return nil, fmt.Errorf("%s: %w", bundlePath, err)
		}
	}
	if orgPath != "" {
		data, err := os.ReadFile(orgPath)
		if err != nil {
			return nil, err
		}
		org, err := rules.ParseOrg(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", orgPath, err)
		}
		b.Org = org
		// The bundle's own examples assume its own organisation; they are
		// not run against another one.
		b.Examples = nil
	}
	return b, nil
}
