package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCheckJSONL compares `postvakt check` over a JSON Lines file of
// labelled drafts with merely decoding each line and encoding it again
// (the floor any JSON Lines tool pays). Issue #10 asks that checking cost
// at most three times that; the ratio is reported as x-decode.
func BenchmarkCheckJSONL(b *testing.B) {
	var in bytes.Buffer
	files, _ := filepath.Glob("../../../shared/engine/testdata/*.jsonl")
	more, _ := filepath.Glob("../../../shared/engine/testdata/*/*.jsonl")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		in.Write(bytes.TrimSpace(data))
		in.WriteByte('\n')
	}
	if in.Len() == 0 {
		b.Fatal("no labelled drafts found")
	}
	// A large file: the labelled drafts ten times over (about 10,000).
	one := append([]byte(nil), in.Bytes()...)
	for i := 1; i < 10; i++ {
		in.Write(one)
	}
	lines := bytes.Count(in.Bytes(), []byte("\n"))
	var decodeNs float64
	b.Run("decode-encode", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		for i := 0; i < b.N; i++ {
			enc := json.NewEncoder(io.Discard)
			for _, line := range bytes.Split(in.Bytes(), []byte("\n")) {
				if len(line) == 0 {
					continue
				}
				var v map[string]any
				if err := json.Unmarshal(line, &v); err != nil {
					b.Fatal(err)
				}
				enc.Encode(v)
			}
		}
		decodeNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("check", func(b *testing.B) {
		b.SetBytes(int64(in.Len()))
		for i := 0; i < b.N; i++ {
			if err := run(context.Background(), []string{"check"}, func(string) string { return "" }, bytes.NewReader(in.Bytes()), io.Discard, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(float64(lines), "drafts")
		if decodeNs > 0 {
			b.ReportMetric(ns/decodeNs, "x-decode")
		}
	})
}
