package engine

import "github.com/postvakt/postvakt/shared/redact"

// excerpt is the masked fragment a finding carries for audit entries; the
// text itself never leaves the browser.
func excerpt(rule, fragment string) string { return redact.Mask(rule, fragment) }
