package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/postvakt/postvakt/server/storetest"
	"github.com/postvakt/postvakt/shared/audit"
)

// BenchmarkAppend appends batches of 100 entries straight to the store:
// the chain, the Merkle tree, a signed checkpoint and a commit per batch.
func BenchmarkAppend(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	n := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		es := make([]audit.Entry, 100)
		for i := range es {
			n++
			es[i] = storetest.Entry(n, "kari", "overridden", "pii.phone")
			es[i].ID = fmt.Sprintf("44444444-2222-4333-8444-%012d", n)
			es[i].Reason = "Godkjent av leder"
		}
		b.StartTimer()
		if _, err := db.Append(ctx, es, storetest.T0.Add(time.Duration(n)*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "entries/s")
}
