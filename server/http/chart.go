package http

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/postvakt/postvakt/server"
)

// chart is a stacked bar chart of findings per rule per week, drawn as
// inline SVG by the compliance template.
type chart struct {
	Width, Height, Base, Max int
	Bars                     []chartBar
	Labels                   []chartLabel
	Legend                   []chartLegend
	Rows                     []server.RuleWeek
}

type chartBar struct {
	X, Y, W, H int
	Color      string
	Title      string
}

type chartLabel struct {
	X, Y int
	Text string
}

type chartLegend struct{ Rule, Color string }

// palette has colours that differ for common colour-vision deficiencies
// (Okabe–Ito), then grey for "other rules".
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

const (
	chartWeeks = 12
	chartRules = 8 // len(palette)
)

func buildChart(rows []server.RuleWeek) *chart {
	if len(rows) == 0 {
		return nil
	}
	weekSet := map[string]bool{}
	totals := map[string]int{}
	for _, r := range rows {
		weekSet[r.Week] = true
		totals[r.Rule] += r.Count
	}
	var weeks []string
	for w := range weekSet {
		weeks = append(weeks, w)
	}
	sort.Strings(weeks)
	weeks = fillWeeks(weeks)
	if len(weeks) > chartWeeks {
		weeks = weeks[len(weeks)-chartWeeks:]
	}
	var ruleList []string
	for r := range totals {
		ruleList = append(ruleList, r)
	}
	sort.Slice(ruleList, func(i, j int) bool {
		if totals[ruleList[i]] != totals[ruleList[j]] {
			return totals[ruleList[i]] > totals[ruleList[j]]
		}
		return ruleList[i] < ruleList[j]
	})
	color := map[string]string{}
	ch := &chart{Rows: rows}
	for i, r := range ruleList {
		if i < chartRules {
			color[r] = palette[i]
			ch.Legend = append(ch.Legend, chartLegend{r, palette[i]})
		} else {
			color[r] = "#8c8c8c"
		}
	}
	if len(ruleList) > chartRules {
		ch.Legend = append(ch.Legend, chartLegend{"andre regler", "#8c8c8c"})
	}
	perWeek := map[string]int{}
	for _, r := range rows {
		perWeek[r.Week] += r.Count
	}
	for _, w := range weeks {
		ch.Max = max(ch.Max, perWeek[w])
	}
	const barW, gap, left, top, plotH = 36, 14, 48, 20, 200
	ch.Width = left + len(weeks)*(barW+gap) + gap
	ch.Height = top + plotH + 30
	ch.Base = top + plotH
	for i, w := range weeks {
		x := left + gap + i*(barW+gap)
		y := ch.Base
		for _, r := range ruleList {
			n := 0
			for _, row := range rows {
				if row.Week == w && row.Rule == r {
					n = row.Count
				}
			}
			if n == 0 {
				continue
			}
			h := n * plotH / ch.Max
			if h < 1 {
				h = 1
			}
			y -= h
			ch.Bars = append(ch.Bars, chartBar{X: x, Y: y, W: barW, H: h, Color: color[r], Title: fmt.Sprintf("%s, %s: %d funn", w, r, n)})
		}
		ch.Labels = append(ch.Labels, chartLabel{X: x + barW/2, Y: ch.Base + 16, Text: w[len(w)-3:]})
	}
	return ch
}

// fillWeeks returns every ISO week from the first of weeks to the last,
// so that a week without findings shows as an empty slot.
func fillWeeks(weeks []string) []string {
	monday := func(w string) (time.Time, bool) {
		var y, n int
		if _, err := fmt.Sscanf(w, "%04d-W%02d", &y, &n); err != nil {
			return time.Time{}, false
		}
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		wd := (int(jan4.Weekday()) + 6) % 7 // Monday = 0
		return jan4.AddDate(0, 0, -wd+(n-1)*7), true
	}
	first, ok1 := monday(weeks[0])
	last, ok2 := monday(weeks[len(weeks)-1])
	if !ok1 || !ok2 || last.Sub(first) > 3*366*24*time.Hour {
		return weeks
	}
	var out []string
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		y, n := d.ISOWeek()
		out = append(out, fmt.Sprintf("%04d-W%02d", y, n))
	}
	return out
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
