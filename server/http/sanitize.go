package http

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// strict removes every tag; it is safe for concurrent use.
var strict = bluemonday.StrictPolicy()

// sanitize makes free text from a client safe to store: every tag is
// removed and entities are decoded back to plain characters, repeatedly,
// so that "&lt;script&gt;" cannot turn into a tag after decoding. The
// result is plain text; templates escape it when they show it.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for range 5 {
		t := html.UnescapeString(strict.Sanitize(s))
		if t == s {
			return strings.TrimSpace(t)
		}
		s = t
	}
	// No fixed point: keep bluemonday's escaped form, which has no tags.
	return strings.TrimSpace(strict.Sanitize(s))
}
