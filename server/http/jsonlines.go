package http

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// jsonLines maps the path of every value in a JSON document, in the
// notation of rules.ValidationError (`rules[3].phrase.patterns[0]`), to
// the line it is on, so the editor can say where an error is. It stops
// quietly at the first syntax error.
func jsonLines(data []byte) map[string]int {
	type frame struct {
		obj       bool
		path, key string
		idx       int
		expectKey bool
	}
	lines := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	done := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.obj {
			top.expectKey = true
		} else {
			top.idx++
		}
	}
	// Lines are counted incrementally: offsets only grow.
	line, counted := 1, 0
	lineAt := func(off int) int {
		if off > len(data) {
			off = len(data)
		}
		line += bytes.Count(data[counted:off], []byte{'\n'})
		counted = off
		return line
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return lines
		}
		off := int(dec.InputOffset())
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			done()
			continue
		}
		if top != nil && top.obj && top.expectKey {
			top.key, _ = tok.(string)
			top.expectKey = false
			continue
		}
		p := ""
		switch {
		case top == nil:
		case top.obj && top.path == "":
			p = top.key
		case top.obj:
			p = top.path + "." + top.key
		default:
			p = top.path + "[" + strconv.Itoa(top.idx) + "]"
		}
		if _, ok := lines[p]; !ok {
			lines[p] = lineAt(off)
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{obj: d == '{', path: p, expectKey: d == '{'})
			continue
		}
		done()
	}
}

// lineOf returns the line of path in lines, or of its nearest ancestor
// that has one (a missing field is reported on its parent), or 0.
func lineOf(lines map[string]int, path string) int {
	for {
		if n, ok := lines[path]; ok && path != "" {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			return 0
		}
		path = path[:i]
	}
}
