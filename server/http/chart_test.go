package http

import (
	"fmt"
	"testing"

	"github.com/postvakt/postvakt/server"
)

func TestFillWeeks(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"2026-W45", "2026-W48"}, "[2026-W45 2026-W46 2026-W47 2026-W48]"},
		{[]string{"2026-W52", "2027-W02"}, "[2026-W52 2026-W53 2027-W01 2027-W02]"},
		{[]string{"2025-W01"}, "[2025-W01]"},
	} {
		if got := fmt.Sprint(fillWeeks(tc.in)); got != tc.want {
			t.Errorf("fillWeeks(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestBuildChart(t *testing.T) {
	ch := buildChart([]server.RuleWeek{{Week: "2026-W45", Rule: "pii.phone", Count: 4}, {Week: "2026-W47", Rule: "pii.email", Count: 2}, {Week: "2026-W47", Rule: "pii.phone", Count: 2}})
	if ch.Max != 4 || len(ch.Bars) != 3 || len(ch.Labels) != 3 || len(ch.Legend) != 2 || ch.Legend[0].Rule != "pii.phone" {
		t.Errorf("chart %+v", ch)
	}
	// The two bars of week 47 stack to the full height, like week 45's one.
	if h := ch.Bars[1].H + ch.Bars[2].H; h != ch.Bars[0].H {
		t.Errorf("stacked height %d, want %d", h, ch.Bars[0].H)
	}
	if buildChart(nil) != nil {
		t.Error("a chart with no data")
	}
}
