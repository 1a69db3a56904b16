package engine

import "strings"

// IsGivenName reports whether word is one of the common Norwegian given
// names the engine's personal-name detection knows (in any case). The
// server's journal export uses it to mask names in public titles.
func IsGivenName(word string) bool { return firstNames[strings.ToLower(word)] }
