package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/postvakt/postvakt/shared/classify"
	"github.com/postvakt/postvakt/shared/engine"
	"github.com/postvakt/postvakt/shared/rules"
	"github.com/postvakt/postvakt/shared/textutil"
)

// maxSamples bounds what `rules train` reads, so a wrong file fails fast.
const maxSamples = 200_000

// runTrain trains a classifier from labelled sentences, reports its
// cross-validated precision and recall per class, and writes the bundle
// with the calibrated model under --model, ready to validate, test and
// publish as a new version.
func runTrain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bundle := fs.String("bundle", "builtin", "the bundle to add the model to (FILE or builtin)")
	name := fs.String("model", "meaning", "the model's name in the bundle")
	out := fs.String("out", "", "where to write the bundle with the model (required; - for stdout)")
	folds := fs.Int("folds", 5, "folds of the cross-validation that calibrates the thresholds")
	precision := fs.Float64("precision", 0.95, "the cross-validated precision each class's threshold must reach")
	dim := fs.Int("dim", 1<<18, "hash buckets (a power of two)")
	epochs := fs.Int("epochs", 10, "passes over the samples")
	lr := fs.Float64("lr", 1.0, "AdaGrad step size")
	l2 := fs.Float64("l2", 1e-6, "L2 penalty")
	maxRows := fs.Int("max-rows", 30000, "keep at most this many features, the strongest first (0: no limit); fewer is smaller and faster")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: postvakt rules train [--bundle FILE] [--model NAME] --out FILE SAMPLES.jsonl...\n\nSAMPLES lines: {\"text\": \"a sentence\", \"label\": \"politics.opinion\"} (label \"none\" for the rest).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *out == "" || fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	var data []byte
	var err error
	if *bundle == "builtin" {
		data = rules.BuiltinJSON()
	} else if data, err = os.ReadFile(*bundle); err != nil {
		return err
	}
	b, err := rules.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *bundle, err)
	}
	var samples []classify.Sample
	for _, path := range fs.Args() {
		s, err := readSamples(path)
		if err != nil {
			return err
		}
		samples = append(samples, s...)
	}
	opt := classify.TrainOptions{Dim: *dim, Epochs: *epochs, TargetPrecision: *precision, MaxRows: *maxRows, LearningRate: *lr, L2: *l2}
	m, rep, err := classify.Calibrate(samples, *folds, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d samples, %d-fold cross-validation, target precision %.2f\n%s\n", rep.Samples, rep.Folds, rep.TargetPrecision, rep.String())
	enc, err := m.Encode()
	if err != nil {
		return err
	}
	if b.Models == nil {
		b.Models = map[string]classify.Encoded{}
	}
	b.Models[*name] = enc
	// The result must be a bundle the engine accepts, with passing examples.
	e, err := engine.New(b)
	if err != nil {
		return fmt.Errorf("the bundle with the new model is not valid: %w", err)
	}
	if fails := e.RunExamples(); len(fails) > 0 {
		for _, f := range fails {
			fmt.Fprintf(stderr, "example: %s\n", f.Error())
		}
		return fmt.Errorf("%d example(s) fail with the new model; the bundle was not written", len(fails))
	}
	var buf bytes.Buffer
	enc2 := json.NewEncoder(&buf)
	enc2.SetEscapeHTML(false)
	enc2.SetIndent("", "  ")
	if err := enc2.Encode(b); err != nil {
		return err
	}
	if buf.Len() > rules.MaxBundleSize {
		return fmt.Errorf("the bundle with the model is %d bytes, more than the limit of %d; train with a smaller --max-rows", buf.Len(), rules.MaxBundleSize)
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (model %q: %d features, %d bytes)\n", *out, *name, m.Rows(), len(enc.Weights))
	return nil
}

// readSamples reads labelled sentences, normalised as the engine sees
// them (NFC, lower case).
func readSamples(path string) ([]classify.Sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []classify.Sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var s struct {
			Text  string `json:"text"`
			Label string `json:"label"`
		}
		if err := json.Unmarshal(line, &s); err != nil {
			return nil, fmt.Errorf("%s:%d: not a sample: %v", path, n, err)
		}
		if strings.TrimSpace(s.Text) == "" || s.Label == "" {
			return nil, fmt.Errorf("%s:%d: a sample needs text and label", path, n)
		}
		if len(out) >= maxSamples {
			return nil, errors.New(path + ": more than 200,000 samples")
		}
		out = append(out, classify.Sample{Text: textutil.Fold(s.Text, nil).S, Label: s.Label})
	}
	return out, sc.Err()
}
